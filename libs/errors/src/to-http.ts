import { AppError, ErrorCode, type ErrorDetail } from './app-error';

/** The JSON body every error response carries. */
export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/** An error as an HTTP response: status, headers and body. */
export interface HttpError {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** Maps any thrown value to a response; unknown errors become a 500 without detail. */
export function toHttp(error: unknown): HttpError {
  if (error instanceof AppError) {
    return {
      status: error.httpStatus,
      headers: error.headers,
      body: { error: { code: error.code, message: error.message, details: error.details } },
    };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { code: ErrorCode.internal, message: 'Something went wrong on our side; it has been logged.', details: [] } },
  };
}

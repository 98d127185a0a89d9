/** Machine-readable error codes the API answers with. Values are part of the public contract. */
export const ErrorCode = {
  badRequest: 'bad_request',
  validationFailed: 'validation_failed',
  invalidJson: 'invalid_json',
  unsupportedMediaType: 'unsupported_media_type',
  payloadTooLarge: 'payload_too_large',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  notFound: 'not_found',
  conflict: 'conflict',
  exportNotCompleted: 'export_not_completed',
  invalidPassword: 'invalid_export_password',
  rateLimited: 'rate_limited',
  quotaExceeded: 'quota_exceeded',
  unavailable: 'service_unavailable',
  downloadLocked: 'download_locked',
  rangeNotSatisfiable: 'range_not_satisfiable',
  featureUnavailable: 'feature_unavailable',
  exportFailed: 'export_failed',
  invalidSignedLink: 'invalid_signed_link',
  signedLinkExpired: 'signed_link_expired',
  gone: 'gone',
  exportDeleted: 'export_deleted',
  exportExpired: 'export_expired',
  exportRunning: 'export_running',
  readOnlyRole: 'read_only_role',
  csrfFailed: 'csrf_failed',
  exportFinished: 'export_finished',
  deliveryNotRetryable: 'delivery_not_retryable',
  internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem with one input field. */
export interface ErrorDetail {
  field: string;
  problem: string;
}

/** Options for an AppError beyond its code, status and message. */
export interface AppErrorOptions {
  details?: ErrorDetail[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The one error type the service throws on purpose. Its message is written for the caller;
 * anything else that reaches the error handler is an internal error and is never shown.
 */
export class AppError extends Error {
  readonly details: ErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly httpStatus: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

/** True for errors created on purpose by this service. */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

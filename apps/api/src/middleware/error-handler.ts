import type { ErrorRequestHandler, RequestHandler } from 'express';
import { errors, isAppError, toHttp } from '@export-service/errors';
import type { Logger } from '@export-service/logger';

interface BodyParserError {
  type?: string;
  limit?: number;
}

/** Body-parser failures as the service's own errors. */
function fromBodyParser(error: BodyParserError, bodyLimit: number) {
  switch (error.type) {
    case 'entity.too.large':
      return errors.payloadTooLarge(error.limit ?? bodyLimit);
    case 'entity.parse.failed':
      return errors.invalidJson('check quotes, commas and brackets');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errors.unsupportedMediaType();
    default:
      return null;
  }
}

/** Unknown routes answer 404 in the same error shape. */
export const notFound: RequestHandler = (req, _res, next) => next(errors.routeNotFound(req.method, req.path));

/** The one error renderer: `{error: {code, message, details}}`; unknown errors are logged and answered 500 without detail. */
export function errorHandler(logger: Logger, bodyLimit: number): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const mapped = isAppError(error) ? error : (fromBodyParser(error as BodyParserError, bodyLimit) ?? error);
    const http = toHttp(mapped);
    if (http.status >= 500) logger.error('unhandled error', { requestId: res.locals.requestId, error });
    res.status(http.status).set(http.headers).json(http.body);
  };
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { errors, isAppError, toHttp } from '@export-service/errors';
import type { Logger } from '@export-service/logger';

interface FrameworkError {
  type?: string;
  limit?: number;
  status?: number;
  expose?: boolean;
}

/** Body-parser and router failures (http-errors with a 4xx status) as the service's own errors. */
function fromFramework(error: FrameworkError, bodyLimit: number) {
  switch (error.type) {
    case 'entity.too.large':
      return errors.payloadTooLarge(error.limit ?? bodyLimit);
    case 'entity.parse.failed':
      return errors.invalidJson('check quotes, commas and brackets');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errors.unsupportedMediaType();
  }
  // e.g. a path with an undecodable percent-escape: Express marks it 400.
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return errors.badRequest(error.status === 400 ? 'malformed request (check the URL encoding and the body)' : `status ${error.status}`);
  }
  return null;
}

/** ioredis's ways of saying Redis is away (the API's client fails fast instead of queuing commands). */
const REDIS_UNREACHABLE = /enableOfflineQueue|Connection is closed|MaxRetriesPerRequest|Reached the max retries per request/;

/** A dependency that is down answers 503 with Retry-After, not a bare 500: clients should come back. */
function fromDependency(error: unknown) {
  const message = error instanceof Error ? error.message : '';
  return REDIS_UNREACHABLE.test(message) ? errors.dependencyUnavailable('the queue store', 2) : null;
}

/** Unknown routes answer 404 in the same error shape. */
export const notFound: RequestHandler = (req, _res, next) => next(errors.routeNotFound(req.method, req.path));

/** The one error renderer: `{error: {code, message, details}}`; unknown errors are logged and answered 500 without detail. */
export function errorHandler(logger: Logger, bodyLimit: number): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const mapped = isAppError(error) ? error : (fromFramework((error ?? {}) as FrameworkError, bodyLimit) ?? fromDependency(error) ?? error);
    const http = toHttp(mapped);
    if (http.status >= 500) logger.error(http.status === 503 ? 'a dependency is unavailable' : 'unhandled error', { requestId: res.locals.requestId, error });
    res.status(http.status).set(http.headers).json(http.body);
  };
}

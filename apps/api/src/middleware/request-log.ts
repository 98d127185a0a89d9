import type { RequestHandler } from 'express';
import type { Logger } from '@export-service/logger';

/** One log line per request: method, path, status, duration; never headers or bodies. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : 'info';
      logger[level]('request', {
        requestId: res.locals.requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        workspaceId: res.locals.principal?.workspaceId,
      });
    });
    next();
  };
}

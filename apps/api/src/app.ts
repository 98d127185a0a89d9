import cors from 'cors';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import type { ApiDeps } from './api-deps';
import { authenticate, requireAdmin } from './middleware/auth';
import { errorHandler, notFound } from './middleware/error-handler';
import { limitPerIp } from './middleware/rate-limit';
import { requestId } from './middleware/request-id';
import { requestLog } from './middleware/request-log';
import { auditRouter } from './routes/audit/audit.router';
import { credentialRouter } from './routes/credentials/credential.router';
import { deliverySettingsRouter } from './routes/delivery-settings/delivery-settings.router';
import { exportRouter } from './routes/exports/export.router';
import { signedFileRouter } from './routes/files/signed-file.router';
import { healthRouter } from './routes/health/health.router';

/** Builds the API without listening, so tests drive it with supertest. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.http.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestId, requestLog(deps.logger), helmet());
  if (deps.config.http.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: [...deps.config.http.corsOrigins],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Export-Password', 'Range', 'If-Range', 'X-Request-Id'],
        exposedHeaders: ['X-Checksum', 'Content-Disposition', 'Content-Range', 'Content-Length', 'Retry-After', 'X-Request-Id', 'ETag'],
      }),
    );
  }
  app.use(healthRouter(deps));

  const api = Router();
  api.use(limitPerIp(deps.limiter, deps.config.limits.perIpPerMinute));
  // Signed links carry their own authorisation (the signature), so they come before the API key check.
  api.use(signedFileRouter(deps));
  api.use(authenticate(deps));
  api.use(exportRouter(deps));
  api.use('/audit', requireAdmin, auditRouter(deps));
  api.use('/credentials', requireAdmin, credentialRouter(deps));
  api.use('/delivery-settings', requireAdmin, deliverySettingsRouter(deps));
  app.use('/api/v1', api);

  app.use(notFound, errorHandler(deps.logger, deps.config.http.bodyLimitBytes));
  return app;
}

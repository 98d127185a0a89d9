import cors from 'cors';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import type { ApiDeps } from './api-deps';
import { authenticate, requireAdmin, viewersOnlyRead } from './middleware/auth';
import { errorHandler, notFound } from './middleware/error-handler';
import { limitPerIp } from './middleware/rate-limit';
import { requestId } from './middleware/request-id';
import { requestLog } from './middleware/request-log';
import { auditRouter } from './routes/audit/audit.router';
import { credentialRouter } from './routes/credentials/credential.router';
import { deliverySettingsRouter } from './routes/delivery-settings/delivery-settings.router';
import { exportRouter } from './routes/exports/export.router';
import { lifecycleRouter } from './routes/exports/lifecycle.router';
import { signedFileRouter } from './routes/files/signed-file.router';
import { healthRouter } from './routes/health/health.router';
import { buildOpenApiDocument } from './openapi/build-document';
import { DOCUMENTED_ROUTES } from './openapi/documented-routes';
import { routeLabeller } from './openapi/route-label';
import { adminRouter } from './routes/admin/admin.router';
import { docsRouter } from './routes/docs/docs.router';
import { exportEventsRouter } from './routes/exports/export-events.router';
import { measureRequests, metricsRouter } from './routes/metrics/metrics.router';
import { scheduleRouter } from './routes/schedules/schedule.router';
import { templateRouter } from './routes/templates/template.router';

/** Builds the API without listening, so tests drive it with supertest. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.http.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestId, requestLog(deps.logger), measureRequests(deps.metrics, routeLabeller(DOCUMENTED_ROUTES)), helmet());
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
  app.use(metricsRouter(deps.metrics, deps.config.ops.metricsToken));
  app.use(docsRouter(buildOpenApiDocument(DOCUMENTED_ROUTES, '1.0.0')));
  app.use('/admin', adminRouter(deps));

  const api = Router();
  api.use(limitPerIp(deps.limiter, deps.config.limits.perIpPerMinute));
  // Signed links carry their own authorisation (the signature), so they come before the API key check.
  api.use(signedFileRouter(deps));
  api.use(authenticate(deps));
  api.use(viewersOnlyRead);
  api.use(exportRouter(deps));
  api.use(exportEventsRouter(deps));
  api.use(templateRouter(deps));
  api.use(scheduleRouter(deps));
  api.use(lifecycleRouter(deps));
  api.use('/audit', requireAdmin, auditRouter(deps));
  api.use('/credentials', requireAdmin, credentialRouter(deps));
  api.use('/delivery-settings', requireAdmin, deliverySettingsRouter(deps));
  app.use('/api/v1', api);

  app.use(notFound, errorHandler(deps.logger, deps.config.http.bodyLimitBytes));
  return app;
}

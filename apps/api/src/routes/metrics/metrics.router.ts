import { Router, type RequestHandler } from 'express';
import { errors } from '@export-service/errors';
import { isScrapeAllowed, type ServiceMetrics } from '@export-service/metrics';
import type { ApiDocPart } from '../../openapi/route-doc';

/** GET /metrics: Prometheus text format; `Authorization: Bearer <METRICS_TOKEN>` when that is set. */
export function metricsRouter(metrics: ServiceMetrics, token: string | null): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!isScrapeAllowed(req.get('authorization'), token)) throw errors.metricsTokenRequired();
    const { contentType, body } = await metrics.render();
    res.set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
  });
  return router;
}

/** Times every request into `http_request_duration_seconds`, labelled with its documented route template (never the raw path). */
export function measureRequests(metrics: ServiceMetrics, labelOf: (method: string, url: string) => string): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => stop({ method: req.method, route: labelOf(req.method, req.originalUrl), status: String(res.statusCode) }));
    next();
  };
}

/** The /metrics route's entry in the document. */
export const METRICS_DOCS: ApiDocPart = {
  routes: [
    {
      method: 'get',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics (text format)',
      description:
        'Queue depth per queue and state, HTTP latency by route template and status, process metrics. Workers serve export, job and delivery metrics on METRICS_PORT. Open unless METRICS_TOKEN is set.',
      auth: 'metrics_token',
      responses: { 200: { description: 'Metrics.', contentType: 'text/plain; version=0.0.4', schema: { type: 'string' } } },
      errors: [401],
    },
  ],
};

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isScrapeAllowed } from './metrics-auth';
import type { ServiceMetrics } from './service-metrics';

/** The little HTTP server of a process without an API (worker, scheduler): /metrics and /healthz. */
export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

function reply(res: import('node:http').ServerResponse, status: number, body: string, contentType = 'application/json'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(body);
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message, details: [] } });
}

/** Serves the registry on `port` (0 picks a free one); `token` guards /metrics when set. */
export async function startMetricsServer(options: { metrics: ServiceMetrics; port: number; host?: string; token: string | null }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, errorBody('method_not_allowed', 'Only GET is served here.'));
    if (path === '/healthz') return reply(res, 200, JSON.stringify({ status: 'ok' }));
    if (path !== '/metrics') return reply(res, 404, errorBody('not_found', `No endpoint ${req.method} ${path}.`));
    if (!isScrapeAllowed(req.headers.authorization, options.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return reply(res, 401, errorBody('unauthenticated', 'Send the metrics token as "Authorization: Bearer <token>".'));
    }
    options.metrics.render().then(
      ({ contentType, body }) => reply(res, 200, body, contentType),
      () => reply(res, 500, errorBody('internal_error', 'Metrics could not be collected.')),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

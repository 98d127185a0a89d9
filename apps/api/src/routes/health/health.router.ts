import { Router } from 'express';
import type { ApiDeps } from '../../api-deps';

/** Liveness (the process answers) and readiness (PostgreSQL and Redis answer). */
export function healthRouter(deps: Pick<ApiDeps, 'dataSource' | 'redis'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([deps.dataSource.query('SELECT 1'), deps.redis.ping()]);
    const [database, redis] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unavailable'));
    const isReady = database === 'ok' && redis === 'ok';
    res.status(isReady ? 200 : 503).json({ status: isReady ? 'ready' : 'not_ready', checks: { database, redis } });
  });
  return router;
}

import express, { Router, type Request } from 'express';
import { hashApiKey, looksLikeApiKey } from '@export-service/security';
import { errors } from '@export-service/errors';
import type { ApiDeps } from '../../api-deps';
import { clientIp } from '../../middleware/client-ip';
import { AdminSessions } from './admin-session';
import { BOARD_PATH, bullBoard } from './bull-board';
import { dashboardAuth } from './dashboard-auth';
import { loginPage } from './login-page';

/** The sessions of this API's dashboard (Secure cookies when PUBLIC_BASE_URL is https). */
export function adminSessions(config: ApiDeps['config']): AdminSessions {
  return new AdminSessions(config.secrets.key, config.ops.adminSessionTtlSeconds, config.http.publicBaseUrl.startsWith('https:'));
}

/**
 * A login form posted from another site (login CSRF) is refused. Browsers say where a request comes
 * from in Sec-Fetch-Site (and Origin, which is `null` under the no-referrer policy helmet sets, so it
 * decides only when Sec-Fetch-Site is absent); clients that send neither (curl) are not browsers.
 */
function isSameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.get('origin');
  if (!origin) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}

/** /admin: the login form, logout, and Bull Board at /admin/queues behind `dashboardAuth`. */
export function adminRouter(deps: ApiDeps): Router {
  const sessions = adminSessions(deps.config);
  const router = Router();
  router.get('/login', (_req, res) => void res.set('Cache-Control', 'no-store').type('html').send(loginPage(null)));
  router.post('/login', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 5 }), async (req, res, next) => {
    if (!isSameOrigin(req)) return next(errors.csrfRejected());
    const key = typeof req.body?.api_key === 'string' ? (req.body.api_key as string).trim() : '';
    const principal = looksLikeApiKey(key) ? await deps.access.findActiveKey(hashApiKey(key)) : null;
    if (!principal || principal.role === 'member') {
      const failures = await deps.limiter.hit(`authfail:${clientIp(req)}`, deps.config.limits.authFailuresPerIpPerMinute, 60_000);
      if (!failures.isAllowed) return next(errors.rateLimited(failures.retryAfterSeconds));
      const status = principal ? 403 : 401;
      return void res
        .status(status)
        .type('html')
        .send(loginPage(principal ? 'The dashboard needs an admin or viewer key.' : 'That key is not valid.'));
    }
    res.append('Set-Cookie', sessions.startCookies(sessions.issue(principal.apiKeyId)));
    res.redirect(303, BOARD_PATH);
  });
  router.post('/logout', (_req, res) => {
    res.append('Set-Cookie', sessions.endCookies());
    res.redirect(303, '/admin/login');
  });
  router.use('/queues', dashboardAuth(deps, sessions), bullBoard(deps.queues));
  return router;
}

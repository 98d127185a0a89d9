import type { Request, RequestHandler, Response } from 'express';
import type { Principal } from '@export-service/db';
import { errors } from '@export-service/errors';
import { hashApiKey, looksLikeApiKey } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { clientIp } from '../../middleware/client-ip';
import { cookiesOf, CSRF_HEADER, SESSION_COOKIE, type AdminSessions } from './admin-session';
import { loginPage } from './login-page';

const READ_METHODS = new Set(['GET', 'HEAD']);

function bearerKey(req: Request): string | null {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  return match ? (match[1] as string) : null;
}

function wantsHtml(req: Request): boolean {
  return READ_METHODS.has(req.method) && (req.get('accept') ?? '').includes('text/html');
}

/** Who is asking, and how: an API key in the header (no CSRF risk) or the session cookie (CSRF checked). */
async function callerOf(deps: Pick<ApiDeps, 'access'>, sessions: AdminSessions, req: Request): Promise<{ principal: Principal | null; session: string | null } | 'bad-key'> {
  const key = bearerKey(req);
  if (key !== null) {
    const principal = looksLikeApiKey(key) ? await deps.access.findActiveKey(hashApiKey(key)) : null;
    return principal ? { principal, session: null } : 'bad-key';
  }
  const session = cookiesOf(req).get(SESSION_COOKIE);
  const apiKeyId = sessions.verify(session);
  return { principal: apiKeyId ? await deps.access.findActiveKeyById(apiKeyId) : null, session: apiKeyId ? (session as string) : null };
}

/**
 * Lets admins and viewers into the dashboard, by API key or login session. Nobody else sees a byte of
 * it: 401 without valid credentials (a browser gets the login form), 403 for members. Viewers may only
 * read (Bull Board's read-only mode hides the buttons; this refuses the requests too), and a request
 * that changes state on a cookie session must carry the session's CSRF token.
 */
export function dashboardAuth(deps: Pick<ApiDeps, 'access' | 'limiter' | 'config'>, sessions: AdminSessions): RequestHandler {
  return async (req, res: Response, next) => {
    res.set('Cache-Control', 'no-store');
    const caller = await callerOf(deps, sessions, req);
    if (caller === 'bad-key' || caller.principal === null) {
      const failures = await deps.limiter.hit(`authfail:${clientIp(req)}`, deps.config.limits.authFailuresPerIpPerMinute, 60_000);
      if (!failures.isAllowed) return next(errors.rateLimited(failures.retryAfterSeconds));
      if (caller !== 'bad-key' && cookiesOf(req).has(SESSION_COOKIE)) res.append('Set-Cookie', sessions.endCookies());
      if (wantsHtml(req)) return void res.status(401).set('WWW-Authenticate', 'Bearer').type('html').send(loginPage(null));
      return next(errors.unauthenticated());
    }
    const { principal, session } = caller;
    if (principal.role === 'member') return next(errors.dashboardRoleRequired());
    if (!READ_METHODS.has(req.method)) {
      if (principal.role !== 'admin') return next(errors.readOnlyRole());
      if (session !== null && !sessions.isCsrfValid(session, req.get(CSRF_HEADER))) return next(errors.csrfRejected());
    }
    res.locals.principal = principal;
    next();
  };
}

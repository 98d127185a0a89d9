import type { Request, RequestHandler, Response } from 'express';
import { errors } from '@export-service/errors';
import type { Principal } from '@export-service/db';
import { hashApiKey, looksLikeApiKey } from '@export-service/security';
import type { ApiDeps } from '../api-deps';
import { clientIp } from './client-ip';

const TOUCH_EVERY_MS = 60_000;

/** The authenticated caller of a request. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw errors.unauthenticated();
  return principal;
}

/**
 * `Authorization: Bearer <key>`: the key's SHA-256 is looked up (keys are never stored), revoked
 * keys fail, failed attempts per IP are limited, and each key has its own request rate limit.
 */
export function authenticate(deps: Pick<ApiDeps, 'access' | 'limiter' | 'config'>): RequestHandler {
  const lastTouched = new Map<string, number>();
  return async (req, res, next) => {
    const key = bearerToken(req);
    const principal = key && looksLikeApiKey(key) ? await deps.access.findActiveKey(hashApiKey(key)) : null;
    if (!principal) {
      const failures = await deps.limiter.hit(`authfail:${clientIp(req)}`, deps.config.limits.authFailuresPerIpPerMinute, 60_000);
      return next(failures.isAllowed ? errors.unauthenticated() : errors.rateLimited(failures.retryAfterSeconds));
    }
    const rate = await deps.limiter.hit(`key:${principal.apiKeyId}`, deps.config.limits.perKeyPerMinute, 60_000);
    if (!rate.isAllowed) return next(errors.rateLimited(rate.retryAfterSeconds));
    res.locals.principal = principal;
    const now = Date.now();
    if (now - (lastTouched.get(principal.apiKeyId) ?? 0) > TOUCH_EVERY_MS) {
      lastTouched.set(principal.apiKeyId, now);
      void deps.access.touchKey(principal.apiKeyId).catch(() => undefined);
    }
    next();
  };
}

/** 403 for members on admin endpoints. */
export const requireAdmin: RequestHandler = (_req, res, next) => {
  next(principalOf(res).role === 'admin' ? undefined : errors.adminRequired());
};

function bearerToken(req: Request): string | null {
  const header = req.get('authorization');
  const match = header ? /^Bearer ([^\s]+)$/.exec(header) : null;
  return match ? (match[1] as string) : null;
}

/** Viewer keys are read only: anything but GET and HEAD answers 403 (downloads refuse them too). */
export const viewersOnlyRead: RequestHandler = (req, res, next) => {
  const isRead = req.method === 'GET' || req.method === 'HEAD';
  next(isRead || principalOf(res).role !== 'viewer' ? undefined : errors.readOnlyRole());
};

/** 403 for viewers on read routes that hand out export data (downloads). */
export function refuseViewer(res: Response): void {
  if (principalOf(res).role === 'viewer') throw errors.readOnlyRole();
}

/**
 * 403 for viewers on reads beyond status: configurations (filter values), value profiles, sample
 * rows and download logs. Viewers read what status shows; this says so before anything is looked up.
 */
export const refuseViewers: RequestHandler = (_req, res, next) => {
  next(principalOf(res).role === 'viewer' ? errors.readOnlyRole() : undefined);
};

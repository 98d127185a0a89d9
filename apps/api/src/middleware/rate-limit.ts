import type { RequestHandler } from 'express';
import { errors } from '@export-service/errors';
import type { RedisRateLimiter } from '@export-service/queue';
import { clientIp } from './client-ip';

/** Requests per minute per client IP, counted in Redis so the limit holds across API replicas. */
export function limitPerIp(limiter: RedisRateLimiter, perMinute: number): RequestHandler {
  return async (req, _res, next) => {
    const decision = await limiter.hit(`ip:${clientIp(req)}`, perMinute, 60_000);
    next(decision.isAllowed ? undefined : errors.rateLimited(decision.retryAfterSeconds));
  };
}

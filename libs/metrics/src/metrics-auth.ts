import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when a scrape may read the metrics: always without METRICS_TOKEN, otherwise only with
 * `Authorization: Bearer <token>` (compared in constant time through fixed-length digests).
 */
export function isScrapeAllowed(authorization: string | undefined, token: string | null): boolean {
  if (token === null) return true;
  const match = authorization ? /^Bearer (\S+)$/.exec(authorization) : null;
  if (!match) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1] as string), digest(token));
}

import { Redis } from 'ioredis';

/** What a connection is for: workers block and must retry forever; producers and the API fail fast. */
export type RedisRole = 'worker' | 'client';

/**
 * A Redis connection as BullMQ's production guide asks: workers with `maxRetriesPerRequest: null`,
 * everything else failing fast so an API request never hangs on a dead Redis.
 * Redis itself must run with `maxmemory-policy noeviction`.
 */
export function createRedisConnection(url: string, role: RedisRole): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    lazyConnect: false,
  });
}

/** Resolves once the connection is ready, or rejects after `timeoutMs` (a fail-fast client errors until then). */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis is not reachable at the configured REDIS_URL within ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

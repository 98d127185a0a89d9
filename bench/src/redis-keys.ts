import { Redis } from 'ioredis';
import { BENCH } from './bench-env';

/**
 * Deletes every Redis key under the benchmark's QUEUE_PREFIX (queues, progress, rate limits, slots),
 * so a run never picks up jobs a killed run left behind. Returns how many keys went.
 */
export async function clearBenchKeys(): Promise<number> {
  const redis = new Redis(BENCH.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${BENCH.queuePrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

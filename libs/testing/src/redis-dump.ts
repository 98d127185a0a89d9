import { Redis } from 'ioredis';

/** Everything Redis holds under a key, whatever its type. */
export async function dumpKey(redis: Redis, name: string): Promise<unknown> {
  switch (await redis.type(name)) {
    case 'string':
      return redis.get(name);
    case 'hash':
      return redis.hgetall(name);
    case 'list':
      return redis.lrange(name, 0, -1);
    case 'set':
      return redis.smembers(name);
    case 'zset':
      return redis.zrange(name, 0, -1, 'WITHSCORES');
    case 'stream':
      return redis.xrange(name, '-', '+');
    default:
      return null;
  }
}

/** Every key under `prefix:` with what it holds, as one JSON text for secret scans. */
export async function dumpRedis(url: string, prefix: string): Promise<{ keys: number; text: string }> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    const dumped: Record<string, unknown> = {};
    for (const name of keys) dumped[name] = await dumpKey(redis, name);
    return { keys: keys.length, text: JSON.stringify(dumped) };
  } finally {
    redis.disconnect();
  }
}

import { Cluster, Redis as SingleRedis, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisTopology } from '@export-service/config';

/** A connection to one Redis, a Sentinel group's master, or a Cluster: BullMQ and our scripts take either. */
export type Redis = SingleRedis | Cluster;

/** What a connection is for: workers block and must retry forever; producers and the API fail fast. */
export type RedisRole = 'worker' | 'client';

function roleOptions(role: RedisRole): RedisOptions {
  return {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    lazyConnect: false,
  };
}

function authOptions(topology: RedisTopology): RedisOptions {
  return { username: topology.username, password: topology.password, ...(topology.tls ? { tls: {} } : {}) };
}

/**
 * A Redis connection as BullMQ's production guide asks: workers with `maxRetriesPerRequest: null`,
 * everything else failing fast so an API request never hangs on a dead Redis. REDIS_URL may name one
 * server, a Sentinel group (ioredis asks the sentinels for the master and follows failovers) or a
 * Cluster. Redis itself must run with `maxmemory-policy noeviction`.
 */
export function createRedisConnection(url: string, role: RedisRole): Redis {
  const connection = connect(parseRedisUrl(url), role);
  // A connection that is down says so in every command it fails; its 'error' events (one per retry
  // while a server or every sentinel is away) would otherwise be printed as unhandled.
  connection.on('error', () => undefined);
  return connection;
}

function connect(topology: RedisTopology, role: RedisRole): Redis {
  switch (topology.kind) {
    case 'single':
      return new SingleRedis(topology.url, roleOptions(role));
    case 'sentinel':
      return new SingleRedis({
        ...roleOptions(role),
        ...authOptions(topology),
        sentinels: topology.sentinels,
        name: topology.masterName,
        db: topology.db,
        sentinelPassword: topology.sentinelPassword,
        // After a failover the old master may still accept a connection as a replica: ask again.
        failoverDetector: true,
      });
    case 'cluster': {
      const { maxRetriesPerRequest, enableOfflineQueue, connectTimeout } = roleOptions(role);
      return new Cluster(topology.nodes, {
        enableOfflineQueue,
        redisOptions: { ...authOptions(topology), maxRetriesPerRequest, connectTimeout },
        // BullMQ's blocking commands must go to masters; reads too, so progress is never stale.
        scaleReads: 'master',
      });
    }
  }
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

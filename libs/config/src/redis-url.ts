/** One Redis (or Sentinel) address. */
export interface HostPort {
  host: string;
  port: number;
}

/** Credentials and transport shared by every form of REDIS_URL. */
interface RedisAuth {
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * Where Redis is, read from REDIS_URL:
 * - `redis://[user:pass@]host:port[/db]` (or `rediss://` for TLS): one server;
 * - `redis+sentinel://[user:pass@]host1:26379,host2:26379/<master name>[/db][?sentinel_password=...]`
 *   (or `rediss+sentinel://`): the master of a Sentinel group, found again after a failover;
 * - `redis+cluster://[user:pass@]host1:6379,host2:6379` (or `rediss+cluster://`): a Redis Cluster
 *   (seed nodes; the rest are discovered). BullMQ's keys then need a hash tag (`{bull}`).
 */
export type RedisTopology =
  | ({ kind: 'single'; url: string } & RedisAuth)
  | ({ kind: 'sentinel'; sentinels: HostPort[]; masterName: string; db: number; sentinelPassword?: string } & RedisAuth)
  | ({ kind: 'cluster'; nodes: HostPort[] } & RedisAuth);

const FORM = /^(rediss?)(?:\+(sentinel|cluster))?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/;

function hostPorts(list: string, defaultPort: number): HostPort[] {
  return list.split(',').map((item) => {
    const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(item.trim());
    if (!match) throw new Error(`"${item}" is not host:port`);
    const port = match[2] === undefined ? defaultPort : Number(match[2]);
    if (port < 1 || port > 65_535) throw new Error(`port ${port} is out of range`);
    return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
  });
}

function decoded(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : decodeURIComponent(value);
}

/** Parses REDIS_URL; throws an Error saying what is wrong (the message never repeats the password). */
export function parseRedisUrl(raw: string): RedisTopology {
  const match = FORM.exec(raw.trim());
  if (!match) throw new Error('must look like redis://host:6379, redis+sentinel://host1:26379,host2:26379/mymaster or redis+cluster://host1:6379,host2:6379');
  const [, scheme, mode, username, password, hosts = '', path = '', query = ''] = match as Array<string | undefined>;
  const auth: RedisAuth = { username: decoded(username), password: decoded(password), tls: scheme === 'rediss' };
  const segments = path.split('/').filter(Boolean);
  if (mode === undefined) {
    hostPorts(hosts, 6379);
    if (hosts.includes(',')) throw new Error('names several hosts: use redis+sentinel:// or redis+cluster://');
    return { kind: 'single', url: raw.trim(), ...auth };
  }
  if (mode === 'cluster') {
    if (segments.length > 0) throw new Error('a Redis Cluster has one database only: drop the path');
    return { kind: 'cluster', nodes: hostPorts(hosts, 6379), ...auth };
  }
  const [masterName, db = '0'] = segments;
  if (!masterName || segments.length > 2 || !/^\d{1,2}$/.test(db))
    throw new Error('needs the master name after the sentinels: redis+sentinel://host1:26379,host2:26379/mymaster[/db]');
  const params = new URLSearchParams(query);
  return {
    kind: 'sentinel',
    sentinels: hostPorts(hosts, 26379),
    masterName: decodeURIComponent(masterName),
    db: Number(db),
    sentinelPassword: params.get('sentinel_password') ?? undefined,
    ...auth,
  };
}

/**
 * The BullMQ key prefix to use: on a Cluster every key of a queue must hash to one slot, so a prefix
 * without a hash tag is wrapped in one (`bull` becomes `{bull}`, as BullMQ's documentation asks).
 */
export function queuePrefixFor(topology: RedisTopology, prefix: string): string {
  return topology.kind === 'cluster' && !/\{[^}]+\}/.test(prefix) ? `{${prefix}}` : prefix;
}

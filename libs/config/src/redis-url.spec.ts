import { loadConfig } from './load-config';
import { parseRedisUrl, queuePrefixFor } from './redis-url';

describe('REDIS_URL', () => {
  it('reads one server, a Sentinel group and a Cluster', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toMatchObject({ kind: 'single', url: 'redis://127.0.0.1:6379', tls: false });
    expect(parseRedisUrl('rediss://:p%40ss@cache.internal:6380/2')).toMatchObject({ kind: 'single', password: 'p@ss', tls: true });
    expect(parseRedisUrl('redis+sentinel://user:secret@s1:26379,s2,[::1]:26380/mymaster/3?sentinel_password=sp')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      masterName: 'mymaster',
      db: 3,
      sentinelPassword: 'sp',
      username: 'user',
      password: 'secret',
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://n1:7000,n2:7001')).toMatchObject({
      kind: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      tls: true,
    });
  });

  it.each([
    ['http://x', 'must look like'],
    ['redis://a:1,b:2', 'use redis+sentinel:// or redis+cluster://'],
    ['redis+sentinel://s1:26379', 'needs the master name'],
    ['redis+cluster://n1:7000/0', 'one database only'],
    ['redis://host:99999', 'out of range'],
  ])('refuses %s, saying why', (url, problem) => {
    expect(() => parseRedisUrl(url)).toThrow(problem);
  });

  it('hash-tags the BullMQ prefix on a Cluster only, and keeps a tag that is there', () => {
    expect(queuePrefixFor(parseRedisUrl('redis+cluster://n1:7000'), 'bull')).toBe('{bull}');
    expect(queuePrefixFor(parseRedisUrl('redis+cluster://n1:7000'), '{exports}:v2')).toBe('{exports}:v2');
    expect(queuePrefixFor(parseRedisUrl('redis+sentinel://s1/m'), 'bull')).toBe('bull');
    expect(loadConfig({ REDIS_URL: 'redis+cluster://n1:7000', QUEUE_PREFIX: 'svc' }).redis.queuePrefix).toBe('{svc}');
  });

  it('never prints the password of a bad URL', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis+sentinel://:hunter2@s1:26379' })).toThrow(/REDIS_URL needs the master name/);
    try {
      loadConfig({ REDIS_URL: 'redis+sentinel://:hunter2@s1:26379' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

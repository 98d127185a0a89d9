import request from 'supertest';
import { Redis } from 'ioredis';
import { Cluster } from 'ioredis';
import {
  edgeCaseActivityRows,
  insertActivityRows,
  openEventStream,
  startRedisCluster,
  startSentinelGroup,
  type RedisClusterSet,
  type SentinelGroup,
} from '@export-service/testing';
import { startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_topology';

async function createUntilAccepted(harness: Harness, key: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const created = await request(harness.app)
      .post('/api/v1/export/create')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'topology', format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity' }] });
    if (created.status === 202) return created.body.job_id as string;
    // While Redis fails over the API answers 503 with Retry-After, never a 500.
    expect(created.status).toBe(503);
    if (Date.now() > deadline) throw new Error(`create still answers ${created.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('REDIS_URL naming a Sentinel group', () => {
  let group: SentinelGroup;
  let harness: Harness;
  let key: string;

  beforeAll(async () => {
    group = await startSentinelGroup();
    harness = await startHarness('sentinel', { overrides: { REDIS_URL: group.url } });
    key = await harness.createKey(WORKSPACE, 'member');
    await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await group?.stop();
  });

  it('runs exports on the master the sentinels name, and again after the master is killed and the replica promoted', async () => {
    const before = await createUntilAccepted(harness, key);
    expect((await harness.waitForStatus(before, key)).status).toBe('completed');
    const master = new Redis({ port: group.masterPort, host: '127.0.0.1' });
    expect(await master.exists(`${harness.env.config.redis.queuePrefix}:exports:${before}`)).toBe(1);
    master.disconnect();

    await group.failOver();
    const after = await createUntilAccepted(harness, key);
    const done = await harness.waitForStatus(after, key, undefined, 90_000);
    expect(done.status).toBe('completed');
    const promoted = new Redis({ port: group.replicaPort, host: '127.0.0.1' });
    expect(await promoted.exists(`${harness.env.config.redis.queuePrefix}:exports:${after}`)).toBe(1);
    promoted.disconnect();
  }, 180_000);
});

describe('REDIS_URL naming a Redis Cluster', () => {
  let cluster: RedisClusterSet;
  let harness: Harness;
  let key: string;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    harness = await startHarness('cluster', { overrides: { REDIS_URL: cluster.url } });
    key = await harness.createKey(WORKSPACE, 'member');
    await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await cluster?.stop();
  });

  it('hash-tags the BullMQ prefix, so every key of a queue lands in one slot', () => {
    expect(harness.env.config.redis.queuePrefix).toBe(`{${harness.env.env.QUEUE_PREFIX}}`);
  });

  it('runs an export end to end, streams its live events, and keeps the rate and lockout scripts working', async () => {
    const server = harness.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const jobId = await createUntilAccepted(harness, key);
      const address = server.address() as { port: number };
      const stream = await openEventStream(`http://127.0.0.1:${address.port}/api/v1/export/status/${jobId}/events`, { Authorization: `Bearer ${key}` });
      const done = await stream.waitFor((event) => event.event === 'done', 60_000);
      expect(done.data).toMatchObject({ job_id: jobId, status: 'completed' });
      const status = await harness.waitForStatus(jobId, key);
      expect(status.files).toHaveLength(2);

      const client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
      try {
        expect(await client.exists(`${harness.env.config.redis.queuePrefix}:exports:${jobId}`)).toBe(1);
      } finally {
        client.disconnect();
      }
      // A protected export: the lockout script's three keys share the hash tag, so Cluster runs it.
      const created = await request(harness.app)
        .post('/api/v1/export/create')
        .set('Authorization', `Bearer ${key}`)
        .send({ name: 'locked', format: 'csv', data_sources: [{ type: 'user_activity' }], encryption: { enabled: true, password_protected: true } });
      expect(created.status).toBe(202);
      await harness.waitForStatus(created.body.job_id as string, key);
      const wrong = await request(harness.app)
        .get(`/api/v1/export/download/${created.body.job_id}/0`)
        .set({ Authorization: `Bearer ${key}`, 'X-Export-Password': 'not it' });
      expect(wrong.status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});

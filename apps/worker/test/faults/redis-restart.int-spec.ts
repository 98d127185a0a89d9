import request from 'supertest';
import { JobName } from '@export-service/contracts';
import { seedAnalytics } from '@export-service/analytics';
import {
  createCsvExport,
  exportableIds,
  expectWholeCsvExport,
  runMaintenance,
  spawnService,
  startHarness,
  stopService,
  startPrivateRedis,
  waitFor,
  type Harness,
  type PrivateRedis,
  type ServiceProcess,
} from '@export-service/testing';

const WORKSPACE = 'ws_redis_restart';
let redis: PrivateRedis;
let harness: Harness;
let key: string;
/** Workers a test started, stopped whatever happens to the test. */
const workers: ServiceProcess[] = [];

beforeAll(async () => {
  // A Redis of this test's own, without persistence: a restart loses every queue entry, the worst case.
  redis = await startPrivateRedis();
  harness = await startHarness('redisrestart', {
    api: 'process',
    worker: false,
    overrides: { REDIS_URL: redis.url, WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' },
  });
  key = await harness.createKey(WORKSPACE, 'admin');
  // Enough rows that the export is still running when Redis goes away, even on a fast machine (~600k rows/s).
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 1_500_000 });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => stopService(worker)));
  await harness.close();
  await redis.stop();
});

it('Redis restarted mid-export (its data lost): the export is not left hanging; it completes whole, once', async () => {
  workers.push(spawnService('worker', harness.env.env));
  try {
    await restartMidExport();
  } finally {
    // A worker left running would take the next test's export before its Redis loses it.
    await Promise.all(workers.splice(0).map((worker) => stopService(worker)));
  }
}, 240_000);

async function restartMidExport(): Promise<void> {
  const jobId = await createCsvExport(harness, key, 'through a restart');
  const running = await waitFor(harness, key, jobId, (body) => body.status !== 'queued' && body.progress.rows_processed > 10_000, 60_000);
  expect(running.status).toBe('processing');
  await redis.down();
  // While Redis is away the API says so, with a time to come back, rather than a bare 500.
  const meanwhile = await request(harness.app).get(`/api/v1/export/status/${jobId}`).set('Authorization', `Bearer ${key}`);
  expect(meanwhile.status).toBe(503);
  expect(meanwhile.body.error.code).toBe('service_unavailable');
  expect(Number(meanwhile.headers['retry-after'])).toBeGreaterThan(0);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await redis.up();

  // The database is the truth: the maintenance job queues again what Redis forgot (the scheduler runs it every minute).
  let lastRequeue = 0;
  const done = await waitFor(
    harness,
    key,
    jobId,
    (body) => body.status === 'completed' || body.status === 'failed',
    120_000,
    async () => {
      if (Date.now() - lastRequeue < 3_000) return;
      lastRequeue = Date.now();
      await runMaintenance(harness, JobName.requeueOrphanedExports, { olderThanSeconds: 0 }).catch(() => undefined);
    },
  );
  expect(done.status).toBe('completed');
  await expectWholeCsvExport(harness, key, done, await exportableIds(harness, WORKSPACE));
}

it('an export queued when Redis lost its data waits for nothing: the reconciliation queues it again', async () => {
  const jobId = await createCsvExport(harness, key, 'queued through a restart');
  await redis.down();
  await redis.up();
  const worker = spawnService('worker', harness.env.env);
  try {
    // The queue entry is gone: a worker alone never sees this export.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await waitFor(harness, key, jobId, () => true, 5_000)).status).toBe('queued');
    await runMaintenance(harness, JobName.requeueOrphanedExports, { olderThanSeconds: 0 });
    const done = await waitFor(harness, key, jobId, (body) => body.status === 'completed' || body.status === 'failed', 120_000);
    expect(done.status).toBe('completed');
    await expectWholeCsvExport(harness, key, done, await exportableIds(harness, WORKSPACE));
  } finally {
    await stopService(worker);
  }
}, 240_000);

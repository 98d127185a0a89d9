import { UnrecoverableError, Worker } from 'bullmq';
import { JobName, QueueName } from '@export-service/contracts';
import { createRedisConnection } from '@export-service/queue';
import { createCsvExport, edgeCaseActivityRows, insertActivityRows, runMaintenance, spawnService, startHarness, stopService, waitFor, type Harness } from '@export-service/testing';

const WORKSPACE = 'ws_reconcile';
let harness: Harness;
let key: string;

beforeAll(async () => {
  harness = await startHarness('reconcile', { api: 'process', worker: false });
  key = await harness.createKey(WORKSPACE, 'admin');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
});

afterAll(() => harness.close());

/** Lets a bare BullMQ worker (not ours: no handler touches the rows) take one export job and end it as `outcome` says. */
async function settleInBullMqOnly(outcome: 'fail' | 'complete'): Promise<void> {
  const connection = createRedisConnection(harness.env.config.redis.url, 'worker');
  let settled!: () => void;
  const done = new Promise<void>((resolve) => (settled = resolve));
  const worker = new Worker(
    QueueName.exports,
    async () => {
      if (outcome === 'fail') throw new UnrecoverableError('lost in an earlier version');
    },
    { connection, prefix: harness.env.config.redis.queuePrefix, autorun: true },
  );
  worker.on(outcome === 'fail' ? 'failed' : 'completed', () => settled());
  try {
    await Promise.race([done, new Promise((_resolve, reject) => setTimeout(() => reject(new Error(`no job was ${outcome}d within 20 s`)), 20_000))]);
  } finally {
    await worker.close();
    connection.disconnect();
  }
}

it('fails an export whose BullMQ job failed while no worker of ours heard it', async () => {
  const jobId = await createCsvExport(harness, key, 'failed unheard');
  await settleInBullMqOnly('fail');
  expect((await waitFor(harness, key, jobId, () => true, 5_000)).status).toBe('queued');
  const worker = spawnService('worker', harness.env.env);
  try {
    await runMaintenance(harness, JobName.requeueOrphanedExports, { olderThanSeconds: 0 });
    const done = await waitFor(harness, key, jobId, (body) => body.status !== 'queued', 30_000);
    expect([done.status, done.error_code]).toEqual(['failed', 'internal_error']);
  } finally {
    await stopService(worker);
  }
}, 90_000);

it('runs again an export BullMQ calls completed while its row is not', async () => {
  const jobId = await createCsvExport(harness, key, 'completed elsewhere');
  await settleInBullMqOnly('complete');
  const worker = spawnService('worker', harness.env.env);
  try {
    await runMaintenance(harness, JobName.requeueOrphanedExports, { olderThanSeconds: 0 });
    const done = await waitFor(harness, key, jobId, (body) => body.status === 'completed' || body.status === 'failed', 60_000);
    expect(done.status).toBe('completed');
    expect(done.files[0].rows).toBe(edgeCaseActivityRows(WORKSPACE).filter((row) => row.deleted_at === null).length);
  } finally {
    await stopService(worker);
  }
}, 90_000);

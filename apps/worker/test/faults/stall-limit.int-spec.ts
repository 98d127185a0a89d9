import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { seedAnalytics } from '@export-service/analytics';
import { createCsvExport, spawnService, startHarness, stopService, waitFor, type Harness } from '@export-service/testing';

const WORKSPACE = 'ws_stall_limit';
let harness: Harness;
let key: string;

beforeAll(async () => {
  // No stall is forgiven: the first killed worker makes BullMQ give the export up.
  harness = await startHarness('stalllimit', {
    api: 'process',
    worker: false,
    overrides: { WORKER_LOCK_DURATION_MS: '1000', WORKER_STALLED_INTERVAL_MS: '1000', WORKER_MAX_STALLED_COUNT: '0', WORKER_CONCURRENCY: '1' },
  });
  key = await harness.createKey(WORKSPACE, 'admin');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 300_000 });
}, 120_000);

afterAll(() => harness.close());

it('an export BullMQ gives up on (stalled past the limit, failed without reaching a handler) is failed in the database, its password and files gone', async () => {
  const first = spawnService('worker', harness.env.env);
  const jobId = await createCsvExport(harness, key, 'stalls', { compression: 'zip', encryption: { enabled: true } });
  await waitFor(harness, key, jobId, (body) => body.status === 'processing' && body.progress.rows_processed > 10_000, 60_000);
  first.child.kill('SIGKILL');
  await first.exited;
  const runDirs = () => readdir(join(harness.env.config.storage.dir, WORKSPACE, jobId)).catch(() => [] as string[]);
  expect(await runDirs()).toHaveLength(1);

  // Nobody polls status: the second worker's `failed` listener is what records it.
  const second = spawnService('worker', harness.env.env);
  try {
    const deadline = Date.now() + 60_000;
    let row: { status: string; error_code: string | null; sealed_password: string | null } | undefined;
    while (row?.status !== 'failed') {
      if (Date.now() > deadline) throw new Error(`the row is still ${JSON.stringify(row)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      [row] = (await harness.dataSource.query(`SELECT status, error_code, sealed_password FROM export_jobs WHERE id = $1`, [jobId])) as (typeof row)[];
    }
    expect(row).toEqual({ status: 'failed', error_code: 'worker_stopped', sealed_password: null });
    expect(await runDirs()).toEqual([]);
    const status = await waitFor(harness, key, jobId, () => true, 5_000);
    expect(status.error).toBe('the worker running this export stopped too many times');
  } finally {
    await stopService(second);
  }
}, 180_000);

import { join } from 'node:path';
import { seedAnalytics } from '@export-service/analytics';
import {
  createCsvExport,
  exportableIds,
  expectWholeCsvExport,
  makeTempDir,
  mountSmallDisk,
  spawnService,
  startHarness,
  stopService,
  waitFor,
  type Harness,
  type ServiceProcess,
} from '@export-service/testing';

const BIG = 'ws_disk_big';
const SMALL = 'ws_disk_small';
let harness: Harness;
let key: string;
let worker: ServiceProcess;
let scratch: { path: string; cleanup(): Promise<void> };
const disks: Array<{ unmount(): Promise<void> }> = [];

beforeAll(async () => {
  scratch = await makeTempDir('disk-full');
  // Export storage and the worker's scratch space each on a 4 MB disk that an export of the big workspace overfills.
  const storage = join(scratch.path, 'storage');
  const work = join(scratch.path, 'work');
  disks.push(await mountSmallDisk(storage, 4), await mountSmallDisk(work, 4));
  harness = await startHarness('diskfull', { api: 'process', worker: false, overrides: { STORAGE_DIR: storage, WORK_DIR: work, EXPORT_ATTEMPTS: '2', EXPORT_BACKOFF_MS: '100' } });
  key = await harness.createKey(BIG, 'admin');
  await harness.createKey(SMALL, 'admin');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: BIG, rows: 150_000 });
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: SMALL, rows: 2_000 });
  worker = spawnService('worker', harness.env.env);
}, 120_000);

afterAll(async () => {
  await stopService(worker);
  await harness.close();
  for (const disk of disks) await disk.unmount().catch(() => undefined);
  await scratch.cleanup();
});

/** Sessions of the workers that hold a transaction open without working (a pinned snapshot). */
async function idleInTransaction(): Promise<number> {
  const { rows } = await harness.env.analyticsPool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'export-worker' AND datname = current_database() AND state LIKE 'idle in transaction%'`,
  );
  return rows[0]?.n ?? 0;
}

it('a full export disk fails the export within seconds, with a clear error, and leaves no snapshot open', async () => {
  const started = Date.now();
  const jobId = await createCsvExport(harness, key, 'too big', { compression: 'none' });
  const done = await waitFor(harness, key, jobId, (body) => body.status === 'failed' || body.status === 'completed', 60_000);
  expect(done.status).toBe('failed');
  expect(done.error_code).toBe('storage_full');
  expect(done.error).toBe('the export storage is full');
  expect(done.files).toBeNull();
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(await idleInTransaction()).toBe(0);
  expect(worker.child.exitCode).toBeNull();
}, 90_000);

it('a full scratch disk fails a Parquet export cleanly instead of killing the worker', async () => {
  const jobId = await createCsvExport(harness, key, 'parquet too big', { format: 'parquet', compression: undefined });
  const done = await waitFor(harness, key, jobId, (body) => body.status === 'failed' || body.status === 'completed', 60_000);
  expect(done.status).toBe('failed');
  expect(done.error_code).toBe('scratch_disk_full');
  expect(await idleInTransaction()).toBe(0);
  expect(worker.child.exitCode).toBeNull();
}, 90_000);

it('the same worker goes on serving: an export that fits completes, whole', async () => {
  const smallKey = await harness.createKey(SMALL, 'member');
  const jobId = await createCsvExport(harness, smallKey, 'fits');
  const done = await waitFor(harness, smallKey, jobId, (body) => body.status === 'failed' || body.status === 'completed', 60_000);
  expect(done.status).toBe('completed');
  await expectWholeCsvExport(harness, smallKey, done, await exportableIds(harness, SMALL));
}, 90_000);

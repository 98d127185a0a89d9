import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { seedAnalytics } from '@export-service/analytics';
import { JobName } from '@export-service/contracts';
import { decompress, download, makeTempDir, parseCsv, runMaintenance, spawnService, startHarness, type Harness, type ServiceProcess } from '@export-service/testing';

const WORKSPACE = 'ws_kill';
const ROWS = 400_000;
let harness: Harness;
let key: string;
const workers: ServiceProcess[] = [];

beforeAll(async () => {
  // Short locks so a killed worker's job is noticed within seconds rather than 30 s.
  harness = await startHarness('kill', {
    api: 'process',
    worker: false,
    overrides: { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', WORKER_MAX_STALLED_COUNT: '3', WORKER_CONCURRENCY: '1' },
  });
  key = await harness.createKey(WORKSPACE, 'admin');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: ROWS });
}, 120_000);

afterAll(async () => {
  for (const worker of workers) worker.child.kill('SIGKILL');
  await harness.close();
});

/** The attempt directories of a job in local storage. */
async function runDirs(jobId: string): Promise<string[]> {
  return (await readdir(join(harness.env.config.storage.dir, WORKSPACE, jobId)).catch(() => [])).sort();
}

it('finishes correctly on another worker after the first one is killed mid-export', async () => {
  const first = spawnService('worker', harness.env.env);
  workers.push(first);
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'kill me', format: 'csv', compression: 'bz2', data_sources: [{ type: 'user_activity' }] });
  expect(created.status).toBe(202);
  const jobId = created.body.job_id as string;

  const running = await harness.waitForStatus(jobId, key, (body) => body.status === 'processing' && body.progress.rows_processed > 20_000, 60_000);
  expect(running.files).toBeNull();
  first.child.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');

  // Nothing of the killed attempt is listed; its partial files are invisible to downloads.
  const afterKill = await request(harness.app).get(`/api/v1/export/status/${jobId}`).set('Authorization', `Bearer ${key}`);
  expect(afterKill.body.status).toBe('processing');
  expect(afterKill.body.files).toBeNull();
  expect((await request(harness.app).get(`/api/v1/export/download/${jobId}/0`).set('Authorization', `Bearer ${key}`)).status).toBe(400);

  const second = spawnService('worker', harness.env.env);
  workers.push(second);
  const done = await harness.waitForStatus(jobId, key, undefined, 120_000);
  expect(done.status).toBe('completed');
  expect(second.output.join('')).toMatch(/export completed/);

  const { rows } = await harness.env.analyticsPool.query('SELECT count(*)::int AS n FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL', [WORKSPACE]);
  const expected = rows[0].n as number;
  expect(done.progress.total_rows).toBe(expected);
  expect(done.files.map((file: { filename: string }) => file.filename)).toEqual(['user_activity.csv.bz2', 'manifest.json']);
  expect(done.files[0].rows).toBe(expected);

  const file = await download(harness.app, key, done.files[0].download_url as string);
  const dir = await makeTempDir('kill');
  try {
    const parsed = await parseCsv(await decompress(file.body, 'bz2', dir.path));
    expect(parsed).toHaveLength(expected);
    expect(new Set(parsed.map((row) => row.id)).size).toBe(expected);
  } finally {
    await dir.cleanup();
  }
  // The killed attempt's files are in its own directory, never listed; the row-driven sweep removes them.
  const [run] = (await harness.dataSource.query(`SELECT run_id FROM export_jobs WHERE id = $1`, [jobId])) as Array<{ run_id: string }>;
  const runs = (await harness.dataSource.query(`SELECT id, status FROM export_runs WHERE job_id = $1 ORDER BY started_at`, [jobId])) as Array<{ id: string; status: string }>;
  expect(runs.map((attempt) => attempt.status)).toEqual(['abandoned', 'completed']);
  expect(runs[1]?.id).toBe(run?.run_id);
  expect(await runDirs(jobId)).toEqual(runs.map((attempt) => attempt.id).sort());
  // The row-driven sweep of abandoned attempts (every attempt counts as old here).
  await runMaintenance(harness, JobName.sweepPartialArtifacts, { olderThanMinutes: 0 });
  expect(await runDirs(jobId)).toEqual([run?.run_id]);
  expect((await download(harness.app, key, done.files[0].download_url as string)).body.length).toBe(done.files[0].bytes);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
}, 240_000);

import request from 'supertest';
import { seedAnalytics } from '@export-service/analytics';
import { activityRow, insertActivityRows, startHarness, type Harness } from '@export-service/testing';
import { startWorkerRuntime } from '../src/worker-runtime';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness('retries', {
    overrides: { EXPORT_ATTEMPTS: '3', EXPORT_BACKOFF_MS: '300', WORKSPACE_MAX_RUNNING_EXPORTS: '1', WORKER_CONCURRENCY: '2' },
    api: 'process',
    worker: startWorkerRuntime,
  });
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: 'ws_retry', rows: 300_000 });
}, 120_000);

afterAll(() => harness.close());

async function create(key: string, body: Record<string, unknown>): Promise<string> {
  const created = await request(harness.app).post('/api/v1/export/create').set('Authorization', `Bearer ${key}`).send(body);
  expect(created.status).toBe(202);
  return created.body.job_id as string;
}

it('retries with backoff after the analytics connection is lost, then completes with every row', async () => {
  const key = await harness.createKey('ws_retry', 'member');
  const jobId = await create(key, { name: 'flaky', format: 'csv', compression: 'bz2', data_sources: [{ type: 'user_activity' }] });
  await harness.waitForStatus(jobId, key, (body) => body.status === 'processing' && body.progress.rows_processed > 10_000);
  const { rows: killed } = await harness.env.analyticsPool.query(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'export-worker' AND datname = current_database()`,
  );
  expect(killed.length).toBeGreaterThan(0);

  const done = await harness.waitForStatus(jobId, key, undefined, 120_000);
  expect(done.status).toBe('completed');
  expect(done.attempts).toBeGreaterThanOrEqual(2);
  const { rows } = await harness.env.analyticsPool.query(`SELECT count(*)::int AS n FROM user_activity WHERE workspace_id = 'ws_retry' AND deleted_at IS NULL`);
  expect(done.files[0].rows).toBe(rows[0].n);
  expect(harness.logLines.some((line) => line.includes('export attempt failed; retrying') && line.includes('lost the connection to the analytics database'))).toBe(true);
}, 180_000);

it('fails at once, with a readable error and no retry, when the request cannot succeed', async () => {
  const key = await harness.createKey('ws_big_row', 'member');
  await insertActivityRows(harness.env.analyticsPool, [activityRow({ workspace_id: 'ws_big_row', resource_id: 'y'.repeat(1_200_000) })]);
  const jobId = await create(key, { name: 'too big', format: 'csv', split_files: { enabled: true, split_by: 'size', max_size_mb: 1 }, data_sources: [{ type: 'user_activity' }] });
  const done = await harness.waitForStatus(jobId, key);
  expect(done.status).toBe('failed');
  expect(done.error).toMatch(/a single row does not fit in max_size_mb/);
  expect(done.error).not.toMatch(/\bat \w+ \(|\/work\/|SELECT|node_modules/);
  expect(done.attempts).toBe(1);
  expect(done.files).toBeNull();
});

it('keeps a workspace to its cap of running exports; the others wait queued', async () => {
  const key = await harness.createKey('ws_retry', 'member');
  const body = { name: 'capped', format: 'excel', data_sources: [{ type: 'user_activity' }] };
  const first = await create(key, body);
  const second = await create(key, body);
  const seen = new Set<string>();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [a, b] = await Promise.all(
      [first, second].map(async (id) => (await request(harness.app).get(`/api/v1/export/status/${id}`).set('Authorization', `Bearer ${key}`)).body.status as string),
    );
    seen.add(`${a}/${b}`);
    expect(`${a}/${b}`).not.toBe('processing/processing');
    if (a === 'completed' && b === 'completed') break;
    if (Date.now() > deadline) throw new Error(`still ${a}/${b}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect([...seen].some((pair) => pair.includes('processing') && pair.includes('queued'))).toBe(true);
}, 180_000);

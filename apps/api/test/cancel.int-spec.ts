import { readdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { seedAnalytics } from '@export-service/analytics';
import { openEventStream, type EventStream } from '@export-service/testing';
import { DocumentedResponses } from './support/openapi';
import { startHarness, type Harness, type StatusBody } from './support/harness';

/**
 * Cancel: a queued export is cancelled at once; a running 2 M row export stops within 5 s on the
 * worker process that runs it (told over Redis pub/sub) and leaves no partial file; a cancel racing a
 * completion leaves exactly one of the two. Progress streams of cancelled exports end at once.
 */

jest.setTimeout(300_000);

const WORKSPACE = 'ws_cancel';
let harness: Harness;
/** The API listening, for progress streams (Server-Sent Events). */
let server: Server;
let base = '';
let documented: DocumentedResponses;
let key = '';
const auth = () => ({ Authorization: `Bearer ${key}` });

/** Every file under an export's storage directory, whatever attempt wrote it. */
async function filesOf(jobId: string): Promise<string[]> {
  const root = join(harness.env.config.storage.dir, WORKSPACE, jobId);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

async function create(body: Record<string, unknown> = {}): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set(auth())
    .send({ name: 'cancel me', format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity' }], ...body });
  expect(created.status).toBe(202);
  return created.body.job_id as string;
}

async function cancel(jobId: string) {
  const answer = await request(harness.app).post(`/api/v1/export/${jobId}/cancel`).set(auth());
  documented.expectMatches('post', '/api/v1/export/{job_id}/cancel', answer.status, answer.body);
  return answer;
}

const eventsOf = (jobId: string) => openEventStream(`${base}/api/v1/export/status/${jobId}/events`, auth());

/** When the stream ended (the server closed it), in ms since the epoch. */
function endOf(stream: EventStream): Promise<number> {
  return stream.ended.then(() => Date.now());
}

/** A cancelled export's stream: its last event is `done` with the cancelled status, as the document describes it. */
function expectCancelledEnd(stream: EventStream, jobId: string): void {
  const last = stream.events.at(-1);
  expect(last?.event).toBe('done');
  expect(last?.data).toMatchObject({ job_id: jobId, status: 'cancelled', files: null });
  documented.expectMatches('get', '/api/v1/export/status/{job_id}', 200, last?.data);
}

beforeAll(async () => {
  harness = await startHarness('cancel', { overrides: { WORKSPACE_MAX_RUNNING_EXPORTS: '1' } });
  key = await harness.createKey(WORKSPACE, 'admin');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 2_000_000 });
  server = harness.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  documented = new DocumentedResponses((await request(harness.app).get('/api/v1/openapi.json')).body);
}, 300_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await harness.close();
});

it('stops a running 2 M row export within 5 s, removes its partial files, and never runs the queued one it also cancelled', async () => {
  const running = await create();
  expect((await request(harness.app).post('/api/v1/delivery-settings/webhook-secret').set(auth())).status).toBe(201);
  // The waiting one would tell a webhook when done; cancelled, it tells nobody (the delivery is skipped, saying why).
  const waiting = await create({ format: 'json', delivery: { method: 'webhook', webhook_url: 'https://hooks.example.com/exports' } });
  await harness.waitForStatus(running, key, (body) => body.status === 'processing' && (body.progress as StatusBody).rows_processed > 100_000, 120_000);
  expect(await filesOf(running)).not.toHaveLength(0);
  // Someone watches both: the streams end when the cancel is answered, not at their 5 s fallback check.
  const streams = { running: await eventsOf(running), waiting: await eventsOf(waiting) };
  await streams.running.waitFor((event) => event.event === 'progress', 10_000);
  await streams.waiting.waitFor((event) => event.event === 'progress', 10_000);
  const ends = { running: endOf(streams.running), waiting: endOf(streams.waiting) };

  // The second export waits for the workspace's only running slot: cancelled at once, never started.
  const queued = await cancel(waiting);
  const queuedAnsweredAt = Date.now();
  expect(queued.body).toMatchObject({ job_id: waiting, status: 'cancelled', previous_status: 'queued' });

  const started = Date.now();
  const answer = await cancel(running);
  const answeredAt = Date.now();
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ job_id: running, status: 'cancelled', previous_status: 'processing', cancelled_at: expect.any(String) });
  // The worker acknowledges by ending its run; its COPY is gone from the analytics database and no file is left.
  for (;;) {
    const [run] = (await harness.dataSource.query(`SELECT status, error_code, ended_at FROM export_runs WHERE job_id = $1`, [running])) as Array<{
      ended_at: Date | null;
      error_code: string | null;
    }>;
    const copies = await harness.env.analyticsPool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'export-worker' AND state = 'active' AND query LIKE 'COPY%'`);
    if (run?.ended_at && run.error_code === 'cancelled' && copies.rowCount === 0 && (await filesOf(running)).length === 0) break;
    if (Date.now() - started > 5_000) throw new Error(`still running 5 s after the cancel: ${JSON.stringify({ run, copies: copies.rowCount, files: await filesOf(running) })}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stopped = Date.now() - started;
  expect(stopped).toBeLessThan(5_000);
  // Well within the streams' 5 s quiet check: the cancel's own "finished" message ended them, even while the worker still published progress.
  expect((await ends.waiting) - queuedAnsweredAt).toBeLessThan(2_500);
  expect((await ends.running) - answeredAt).toBeLessThan(2_500);
  expectCancelledEnd(streams.waiting, waiting);
  expectCancelledEnd(streams.running, running);

  const status = (await request(harness.app).get(`/api/v1/export/status/${running}`).set(auth())).body as StatusBody;
  expect(status).toMatchObject({ status: 'cancelled', files: null, files_available: false });
  expect((status.progress as StatusBody).rows_processed).toBeLessThan(2_000_000);
  expect((await request(harness.app).get(`/api/v1/export/download/${running}/0`).set(auth())).status).toBe(400);
  const waitingStatus = (await request(harness.app).get(`/api/v1/export/status/${waiting}`).set(auth())).body as StatusBody;
  expect(waitingStatus.deliveries).toEqual([expect.objectContaining({ state: 'skipped', attempts: 0, last_error: 'the export was cancelled' })]);
  const runs = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM export_runs WHERE job_id = $1`, [waiting])) as Array<{ n: number }>;
  expect(runs[0]?.n).toBe(0);

  // Cancelling again, or a finished export, says why; another workspace's export is not found.
  expect((await cancel(running)).body.error).toMatchObject({ code: 'export_finished', message: expect.stringContaining('cancelled already') });
  const stranger = await harness.createKey('ws_cancel_other', 'admin');
  expect(
    (
      await request(harness.app)
        .post(`/api/v1/export/${running}/cancel`)
        .set({ Authorization: `Bearer ${stranger}` })
    ).status,
  ).toBe(404);
  // A cancelled export can be deleted (it is finished) and its slot is free: the next export runs.
  expect((await request(harness.app).delete(`/api/v1/export/${running}`).set(auth())).status).toBe(200);
  const next = await create({ data_sources: [{ type: 'user_activity', fields: ['id'], filters: { actions: ['nothing_like_this'] } }] });
  expect((await harness.waitForStatus(next, key)).status).toBe('completed');
  expect((await cancel(next)).status).toBe(409);
});

it('leaves exactly one of cancel and completion when they race', async () => {
  for (let round = 0; round < 8; round += 1) {
    const jobId = await create({ data_sources: [{ type: 'user_activity', fields: ['id'], filters: { actions: ['none_at_all'] } }] });
    await harness.waitForStatus(jobId, key);
    // Back to a running attempt, then the two transitions at once.
    await harness.dataSource.query(`UPDATE export_jobs SET status = 'queued', completed_at = NULL WHERE id = $1`, [jobId]);
    const runId = (await harness.deps.jobs.markProcessing(jobId, 9)) as string;
    const [completed, cancelled] = await Promise.all([harness.deps.jobs.complete(jobId, runId, [], 0), harness.deps.jobs.cancel(jobId)]);
    expect([completed, cancelled !== null].filter(Boolean)).toHaveLength(1);
    const [row] = (await harness.dataSource.query(`SELECT status FROM export_jobs WHERE id = $1`, [jobId])) as Array<{ status: string }>;
    expect(row?.status).toBe(completed ? 'completed' : 'cancelled');
  }
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Redis } from 'ioredis';
import { seedAnalytics } from '@export-service/analytics';
import { exportEventsChannel } from '@export-service/queue';
import { freePort, openEventStream, spawnService, stopService, type EventStream, type ServiceProcess } from '@export-service/testing';
import { DocumentedResponses } from './support/openapi';
import { startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_sse';
let harness: Harness;
let server: Server;
let apiA: string;
let apiB: string;
let second: ServiceProcess;
let redis: Redis;
let key: string;
let documented: DocumentedResponses;

const auth = () => ({ Authorization: `Bearer ${key}` });
const eventsOf = (base: string, jobId: string, headers: Record<string, string> = auth()) => openEventStream(`${base}/api/v1/export/status/${jobId}/events`, headers);

async function create(body: Record<string, unknown>): Promise<string> {
  const created = await request(apiA)
    .post('/api/v1/export/create')
    .set(auth())
    .send({ name: 'sse', data_sources: [{ type: 'user_activity' }], ...body });
  expect(created.status).toBe(202);
  return created.body.job_id as string;
}

async function subscribers(jobId: string): Promise<number> {
  const [, count] = (await redis.pubsub('NUMSUB', exportEventsChannel(harness.env.config.redis.queuePrefix, jobId))) as [string, number];
  return count;
}

beforeAll(async () => {
  harness = await startHarness('sse', { overrides: { WORKER_CONCURRENCY: '1', WORKSPACE_MAX_RUNNING_EXPORTS: '1', SSE_HEARTBEAT_SECONDS: '1' } });
  key = await harness.createKey(WORKSPACE, 'member');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 400_000 });
  server = harness.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  apiA = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A second API replica, its own process: streams there hear the same worker.
  const port = await freePort();
  second = spawnService('api', { ...harness.env.env, PORT: String(port), HOST: '127.0.0.1' });
  apiB = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (
    (await fetch(`${apiB}/readyz`).then(
      (res) => res.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline) throw new Error(`the second API did not start: ${second.output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  redis = new Redis(harness.env.config.redis.url);
  documented = new DocumentedResponses((await request(apiA).get('/api/v1/openapi.json')).body);
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await stopService(second);
  await new Promise((resolve) => server.close(resolve));
  await harness.close();
});

it('streams progress at least every second while the export runs, on another API replica, then a final event, and ends', async () => {
  const jobId = await create({ format: 'excel' });
  const stream = await eventsOf(apiB, jobId);
  expect(stream.status).toBe(200);
  expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
  const done = await stream.waitFor((event) => event.event === 'done', 120_000);
  await stream.ended;
  const running = stream.events.filter((event) => event.event === 'progress' && (event.data as { status: string }).status === 'processing');
  expect(running.length).toBeGreaterThanOrEqual(3);
  const gaps = running.slice(1).map((event, index) => event.at - (running[index] as { at: number }).at);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(1_300);
  const rows = running.map((event) => (event.data as { progress: { rows_processed: number } }).progress.rows_processed);
  expect(rows).toEqual([...rows].sort((a, b) => a - b));
  expect(rows.at(-1)).toBeGreaterThan(0);
  for (const event of stream.events.filter((item) => item.event === 'progress')) {
    documented.expectComponent('ExportProgressEvent', event.data);
    expect(event.data).toEqual({ job_id: jobId, status: expect.stringMatching(/^(queued|processing)$/), progress: expect.objectContaining({ total_rows: expect.any(Number) }) });
  }
  expect(done.data).toMatchObject({ job_id: jobId, status: 'completed', progress: { percentage: 100 } });
  documented.expectMatches('get', '/api/v1/export/status/{job_id}', 200, done.data);
  expect(stream.events.at(-1)?.event).toBe('done');
}, 180_000);

it('keeps a queued stream alive with heartbeat comments, and unsubscribes when the client hangs up', async () => {
  const blocker = await create({ format: 'excel' });
  const queued = await create({ format: 'csv' });
  const stream = await eventsOf(apiA, queued);
  expect(stream.status).toBe(200);
  await stream.waitFor((event) => event.event === 'progress', 10_000);
  const deadline = Date.now() + 10_000;
  while (stream.comments.length < 2) {
    if (Date.now() > deadline) throw new Error('no heartbeat comments');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(await subscribers(queued)).toBe(1);
  stream.close();
  const until = Date.now() + 10_000;
  while ((await subscribers(queued)) !== 0) {
    if (Date.now() > until) throw new Error('the channel is still subscribed after the client left');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(harness.deps.exportEvents.channelCount).toBe(0);
  for (const jobId of [blocker, queued]) expect((await harness.waitForStatus(jobId, key, undefined, 120_000)).status).toBe('completed');
}, 180_000);

it('answers a finished export at once with its final event', async () => {
  const jobId = await create({ format: 'csv', data_sources: [{ type: 'user_activity', filters: { date_range: { start: '2024-01-01', end: '2024-01-02' } } }] });
  await harness.waitForStatus(jobId, key);
  const stream: EventStream = await eventsOf(apiB, jobId);
  await stream.ended;
  expect(stream.events.map((event) => event.event)).toEqual(['done']);
  expect(stream.events[0]?.data).toMatchObject({ job_id: jobId, status: 'completed' });
});

it("answers unknown jobs, other workspaces' jobs and missing keys like status does: 404/401, never a 5xx", async () => {
  const stranger = await harness.createKey('ws_sse_other', 'admin');
  const jobId = await create({ format: 'csv' });
  for (const base of [apiA, apiB]) {
    for (const [path, headers, status] of [
      [`job_${'0'.repeat(32)}`, auth(), 404],
      ['not-a-job', auth(), 404],
      [jobId, { Authorization: `Bearer ${stranger}` }, 404],
      [jobId, {}, 401],
      [jobId, { Authorization: 'Bearer wrong' }, 401],
    ] as const) {
      const stream = await eventsOf(base, path, headers);
      await stream.ended;
      expect({ path, status: stream.status }).toEqual({ path, status });
      expect(JSON.parse(stream.body).error.code).toBe(status === 404 ? 'not_found' : 'unauthenticated');
    }
  }
  await harness.waitForStatus(jobId, key);
});

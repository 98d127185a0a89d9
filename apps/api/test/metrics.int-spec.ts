import request from 'supertest';
import { JobName, QueueName } from '@export-service/contracts';
import { edgeCaseActivityRows, freePort, insertActivityRows, runMaintenance, spawnService, stopService, type ServiceProcess } from '@export-service/testing';
import { addJob, closeQueues, createRedisConnection, openQueues } from '@export-service/queue';
import { startHarness, type Harness } from './support/harness';

const TOKEN = 'metrics-token-for-tests-0123456789';
let harness: Harness;
let worker: ServiceProcess;
let workerPort: number;
let key: string;

/** The value of one series in a text exposition (null when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const isMatch = Object.entries(labels).every(([label, value]) => line.includes(`${label}="${value}"`));
    if (isMatch) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}

async function scrapeWorker(token = TOKEN): Promise<{ status: number; text: string }> {
  const answer = await fetch(`http://127.0.0.1:${workerPort}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: answer.status, text: await answer.text() };
}

beforeAll(async () => {
  harness = await startHarness('metrics', { withWorker: false, overrides: { METRICS_TOKEN: TOKEN } });
  key = await harness.createKey('ws_metrics', 'member');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows('ws_metrics'));
  workerPort = await freePort();
  worker = spawnService('worker', { ...harness.env.env, METRICS_PORT: String(workerPort) });
});

afterAll(async () => {
  await stopService(worker);
  await harness.close();
});

it('answers /metrics only with the token: 401 without it or with a wrong one, never a 5xx', async () => {
  for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }]) {
    const answer = await request(harness.app).get('/metrics').set(headers);
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('unauthenticated');
    expect(answer.text).not.toContain('queue_jobs');
  }
});

it('reports queue depth per queue and state, HTTP latency by route template, and process metrics', async () => {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'metrics', format: 'csv', data_sources: [{ type: 'user_activity' }] });
  expect(created.status).toBe(202);
  // Many distinct raw paths: the labels must stay the templates.
  for (let index = 0; index < 20; index += 1) {
    await request(harness.app)
      .get(`/api/v1/export/status/job_${String(index).padStart(32, '0')}`)
      .set('Authorization', `Bearer ${key}`);
    await request(harness.app).get(`/no/such/path/${index}`);
  }
  const answer = await request(harness.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
  expect(answer.status).toBe(200);
  expect(answer.headers['content-type']).toMatch(/^text\/plain/);
  for (const queue of Object.values(QueueName)) {
    for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) expect(sample(answer.text, 'queue_jobs', { queue, state })).not.toBeNull();
  }
  expect(sample(answer.text, 'http_request_duration_seconds_count', { route: '/api/v1/export/status/{job_id}', status: '404', method: 'GET' })).toBe(20);
  expect(sample(answer.text, 'http_request_duration_seconds_count', { route: '/api/v1/export/create', status: '202', method: 'POST' })).toBe(1);
  expect(sample(answer.text, 'http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(20);
  const routes = new Set([...answer.text.matchAll(/route="([^"]*)"/g)].map((match) => match[1]));
  expect([...routes].sort()).toEqual(['/api/v1/export/create', '/api/v1/export/status/{job_id}', '/metrics', 'unmatched'].sort());
  expect(answer.text).toMatch(/^process_cpu_user_seconds_total\{service="api"\} /m);
  expect(answer.text).toMatch(/^nodejs_eventloop_lag_seconds\{service="api"\} /m);
  await harness.waitForStatus(created.body.job_id as string, key);
});

it('serves each worker its own metrics on METRICS_PORT: exports by format, rows, bytes, job outcomes', async () => {
  const deadline = Date.now() + 30_000;
  let scraped = await scrapeWorker().catch(() => ({ status: 0, text: '' }));
  while (sample(scraped.text, 'export_duration_seconds_count', { format: 'csv' }) !== 1) {
    if (Date.now() > deadline) throw new Error(`no export in the worker's metrics: ${scraped.status} ${scraped.text.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    scraped = await scrapeWorker().catch(() => ({ status: 0, text: '' }));
  }
  expect(sample(scraped.text, 'export_rows_written_total', { format: 'csv' })).toBe(12);
  expect(sample(scraped.text, 'export_bytes_written_total', { format: 'csv' })).toBeGreaterThan(500);
  expect(sample(scraped.text, 'queue_jobs_finished_total', { queue: 'exports', name: JobName.runExport, outcome: 'completed' })).toBe(1);
  expect(scraped.text).toMatch(/^process_resident_memory_bytes\{service="worker"\} /m);
  expect((await scrapeWorker('wrong')).status).toBe(401);
  expect((await fetch(`http://127.0.0.1:${workerPort}/healthz`)).status).toBe(200);
});

it('counts a job that fails for good as failed, and maintenance jobs by name', async () => {
  await runMaintenance(harness, JobName.expireExports, { limit: 10 });
  const redis = createRedisConnection(harness.env.config.redis.url, 'client');
  const queues = openQueues(redis, harness.env.config.redis.queuePrefix, { attempts: 3, backoffMs: 10 });
  try {
    const job = await addJob(queues, JobName.runExport, { exportJobId: `job_${'e'.repeat(32)}` });
    const deadline = Date.now() + 30_000;
    while (!(await job.isFailed())) {
      if (Date.now() > deadline) throw new Error('the export of a missing row did not fail');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await closeQueues(queues);
    redis.disconnect();
  }
  const deadline = Date.now() + 10_000;
  let text = (await scrapeWorker()).text;
  while (sample(text, 'queue_jobs_finished_total', { outcome: 'failed' }) !== 1 && Date.now() < deadline) text = (await scrapeWorker()).text;
  expect(sample(text, 'queue_jobs_finished_total', { queue: 'exports', name: JobName.runExport, outcome: 'failed' })).toBe(1);
  expect(sample(text, 'queue_jobs_finished_total', { queue: 'maintenance', name: JobName.expireExports, outcome: 'completed' })).toBe(1);
});

it('serves the scheduler its /healthz (the liveness probe) and process metrics on METRICS_PORT', async () => {
  const port = await freePort();
  const scheduler = spawnService('scheduler', { ...harness.env.env, METRICS_PORT: String(port) });
  try {
    const deadline = Date.now() + 30_000;
    while (
      (await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (res) => res.status,
        () => 0,
      )) !== 200
    ) {
      if (Date.now() > deadline) throw new Error(`the scheduler serves no /healthz: ${scheduler.output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^process_cpu_user_seconds_total\{service="scheduler"\} /m);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
  } finally {
    await stopService(scheduler);
  }
});

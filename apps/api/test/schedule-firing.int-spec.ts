import request from 'supertest';
import { createRedisConnection } from '@export-service/queue';
import { ensureAnalyticsSchema } from '@export-service/analytics';
import { spawnService, stopService, type ServiceProcess } from '@export-service/testing';
import { download, startHarness, type Harness, type StatusBody } from './support/harness';

/**
 * Firing for real: BullMQ, worker and scheduler processes, a test-only `every_seconds` frequency.
 * Exactly-once comes from the run rows; these tests cause the faults (two schedulers, a killed
 * scheduler and a flushed Redis, workers down for several periods, rows committed while runs read).
 */
const WORKSPACE = 'ws_firing';
const SETTINGS = {
  SCHEDULER_RECONCILE_MS: '250',
  SCHEDULE_CATCH_UP_AFTER_MS: '3000',
  SCHEDULE_RUN_RETRY_MS: '150',
  WORKSPACE_MAX_QUEUED_EXPORTS: '1000',
  WORKSPACE_MAX_RUNNING_EXPORTS: '4',
  WORKER_CONCURRENCY: '4',
};
let harness: Harness;
let admin = '';
let templateId = '';
let incrementalTemplateId = '';
const schedulers: ServiceProcess[] = [];
let worker: ServiceProcess;
const auth = () => ({ Authorization: `Bearer ${admin}` });

function startScheduler(): ServiceProcess {
  const scheduler = spawnService('scheduler', harness.env.env, (line) => harness.logLines.push(line));
  schedulers.push(scheduler);
  return scheduler;
}

async function createSchedule(everySeconds: number, template = templateId): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/scheduled')
    .set(auth())
    .send({ name: 'every', template_id: template, frequency: 'every_seconds', schedule: { every_seconds: everySeconds } });
  expect(created.status).toBe(201);
  return created.body.schedule_id as string;
}

async function runsOf(scheduleId: string): Promise<StatusBody[]> {
  const answer = await request(harness.app).get(`/api/v1/export/scheduled/${scheduleId}/runs?limit=1000`).set(auth());
  return (answer.body.runs as StatusBody[]).reverse();
}

/** Polls the schedule's runs until `until` holds, with a deadline. */
async function waitForRuns(scheduleId: string, until: (runs: StatusBody[]) => boolean, timeoutMs = 60_000): Promise<StatusBody[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await runsOf(scheduleId);
    if (until(runs)) return runs;
    if (Date.now() > deadline) throw new Error(`runs never matched: ${JSON.stringify(runs.map((run) => [run.period_start, run.trigger, run.status]))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isFinished = (run: StatusBody) => ['completed', 'failed'].includes(run.status as string);
const periodMs = (run: StatusBody) => Date.parse(run.period_start as string);

async function pause(scheduleId: string): Promise<void> {
  await request(harness.app).post(`/api/v1/export/scheduled/${scheduleId}/pause`).set(auth());
}

/** Every export of the schedule, from the database (one row per export, whatever the API shows). */
async function exportsOf(scheduleId: string): Promise<Array<{ id: string; status: string }>> {
  return (await harness.dataSource.query(`SELECT id, status FROM export_jobs WHERE schedule_id = $1`, [scheduleId])) as Array<{ id: string; status: string }>;
}

/** Deletes every Redis key of this test world, as a Redis restart without persistence would. */
async function flushRedis(): Promise<number> {
  const redis = createRedisConnection(harness.env.config.redis.url, 'worker');
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${harness.env.config.redis.queuePrefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}

beforeAll(async () => {
  harness = await startHarness('schedule-firing', { overrides: SETTINGS, withWorker: false });
  worker = spawnService('worker', harness.env.env, (line) => harness.logLines.push(line));
  admin = await harness.createKey(WORKSPACE, 'admin');
  await ensureAnalyticsSchema(harness.env.analyticsPool);
  const save = async (filters: Record<string, unknown>) =>
    (
      await request(harness.app)
        .post('/api/v1/export/templates')
        .set(auth())
        .send({ name: 't', configuration: { format: 'csv', data_sources: [{ type: 'user_activity', fields: ['resource_id', 'timestamp'], filters }] } })
    ).body.template_id as string;
  templateId = await save({ date_range: { relative: 'previous_day' } });
  incrementalTemplateId = await save({ date_range: { relative: 'since_last_run' } });
}, 120_000);

afterAll(async () => {
  await Promise.all([...schedulers, worker].map((service) => stopService(service)));
  await harness.close();
});

describe('firing once per period', () => {
  it('with two scheduler replicas: one run and one export per period, no period skipped', async () => {
    startScheduler();
    startScheduler();
    const id = await createSchedule(1);
    const runs = await waitForRuns(id, (found) => found.length >= 8 && found.slice(0, 8).every(isFinished));
    await pause(id);
    const settled = await waitForRuns(id, (found) => found.every(isFinished));
    const periods = settled.map(periodMs);
    expect(new Set(periods).size).toBe(periods.length);
    // Consecutive seconds from the first to the last: every period fired, none twice.
    for (let index = 1; index < periods.length; index += 1) expect((periods[index] as number) - (periods[index - 1] as number)).toBe(1_000);
    expect(settled.every((run) => run.trigger === 'schedule' && run.status === 'completed')).toBe(true);
    const exports = await exportsOf(id);
    expect(exports).toHaveLength(settled.length);
    expect(new Set(settled.map((run) => run.export_job_id))).toEqual(new Set(exports.map((job) => job.id)));
    expect(runs.length).toBeGreaterThanOrEqual(8);
    await Promise.all(schedulers.splice(0).map((scheduler) => stopService(scheduler)));
  }, 120_000);

  it('after the scheduler is SIGKILLed and Redis flushed: the schedule is rebuilt from the table, its missed period runs once (a catch-up), then on time', async () => {
    const scheduler = startScheduler();
    const id = await createSchedule(1);
    await waitForRuns(id, (found) => found.length >= 2 && found.every(isFinished));
    scheduler.child.kill('SIGKILL');
    await scheduler.exited;
    schedulers.splice(schedulers.indexOf(scheduler), 1);
    expect(await flushRedis()).toBeGreaterThan(0);
    const flushedAt = Date.now();
    // Nothing fires while the firing is lost and no scheduler is up: wait past the catch-up threshold.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const beforeRestart = await runsOf(id);
    startScheduler();
    const runs = await waitForRuns(id, (found) => found.filter((run) => periodMs(run) > flushedAt).length >= 4 && found.every(isFinished));
    await pause(id);
    const after = runs.slice(beforeRestart.length);
    const catchUps = runs.filter((run) => run.trigger === 'catch_up');
    expect(catchUps).toHaveLength(1);
    expect(after[0]).toMatchObject({ trigger: 'catch_up', status: 'completed' });
    expect(after[0]?.missed_periods as number).toBeGreaterThanOrEqual(3);
    // The missed seconds between the catch-up's period and the next on-time firing have no runs of their own.
    const [catchUp, next] = after as [StatusBody, StatusBody];
    expect(periodMs(next) - periodMs(catchUp)).toBeGreaterThanOrEqual(4_000);
    for (const run of after.slice(1)) expect(run.trigger).toBe('schedule');
    expect(new Set(runs.map(periodMs)).size).toBe(runs.length);
    expect(await exportsOf(id)).toHaveLength(runs.length);
    await Promise.all(schedulers.splice(0).map((stopping) => stopService(stopping)));
  }, 120_000);

  it('after the workers were down for several periods (Redis kept): the first missed period runs once as a catch-up, not once per missed tick', async () => {
    startScheduler();
    const id = await createSchedule(1);
    await waitForRuns(id, (found) => found.length >= 2 && found.every(isFinished));
    worker.child.kill('SIGKILL');
    await worker.exited;
    const downAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const whileDown = await runsOf(id);
    worker = spawnService('worker', harness.env.env, (line) => harness.logLines.push(line));
    const runs = await waitForRuns(id, (found) => found.filter((run) => periodMs(run) > downAt + 5_000).length >= 3 && found.every(isFinished));
    await pause(id);
    const after = runs.slice(whileDown.length);
    expect(after[0]).toMatchObject({ trigger: 'catch_up', status: 'completed' });
    expect(after[0]?.missed_periods as number).toBeGreaterThanOrEqual(3);
    expect(runs.filter((run) => run.trigger === 'catch_up')).toHaveLength(1);
    expect(periodMs(after[1] as StatusBody) - periodMs(after[0] as StatusBody)).toBeGreaterThanOrEqual(4_000);
    expect(new Set(runs.map(periodMs)).size).toBe(runs.length);
    await Promise.all(schedulers.splice(0).map((stopping) => stopService(stopping)));
  }, 120_000);
});

describe('since_last_run', () => {
  it('exports every row exactly once across consecutive runs, including rows committed while runs read', async () => {
    startScheduler();
    const id = await createSchedule(1, incrementalTemplateId);
    const inserted: string[] = [];
    let lastCommit = 0;
    const deadline = Date.now() + 10_000;
    // Writers whose transactions stay open up to 600 ms: their rows carry the transaction's start
    // (now()) and become visible only at commit, after some run has taken its bound and snapshot.
    const writer = async (name: string) => {
      const client = await harness.env.analyticsPool.connect();
      try {
        for (let batch = 0; Date.now() < deadline; batch += 1) {
          await client.query('BEGIN');
          const ids = Array.from({ length: 5 }, (_, index) => `${name}_${batch}_${index}`);
          await client.query(
            `INSERT INTO user_activity (workspace_id, user_id, action, resource_id, "timestamp") SELECT $1, gen_random_uuid(), 'insert', unnest($2::text[]), now()`,
            [WORKSPACE, ids],
          );
          await client.query('SELECT pg_sleep($1)', [Math.random() * 0.6]);
          await client.query('COMMIT');
          inserted.push(...ids);
          lastCommit = Date.now();
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(['a', 'b', 'c'].map(writer));
    // Runs go on until one whose range ends after the last commit has completed.
    const runs = await waitForRuns(
      id,
      (found) =>
        found.some((run) => run.status === 'completed' && Date.parse((run.covered as { to: string }).to) > lastCommit + 100) && found.every((run) => run.status !== 'pending'),
      90_000,
    );
    await pause(id);
    const settled = await waitForRuns(id, (found) => found.every(isFinished));
    const completed = settled.filter((run) => run.status === 'completed');
    expect(completed.length).toBeGreaterThanOrEqual(5);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    // The ranges chain: each run starts exactly where the last successful one stopped.
    for (let index = 1; index < completed.length; index += 1) {
      expect((completed[index]?.covered as { from: string }).from).toBe((completed[index - 1]?.covered as { to: string }).to);
    }
    const exported: string[] = [];
    for (const run of completed) {
      const file = await download(harness.app, admin, `/api/v1/export/download/${run.export_job_id}/0`);
      expect(file.status).toBe(200);
      const lines = file.body
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n')
        .slice(1);
      exported.push(...lines.filter(Boolean).map((line) => line.split(',')[0] as string));
    }
    expect(inserted.length).toBeGreaterThan(60);
    expect(exported.length).toBe(inserted.length);
    expect(new Set(exported).size).toBe(exported.length);
    expect(new Set(exported)).toEqual(new Set(inserted));
  }, 150_000);
});

import request from 'supertest';
import { JobName } from '@export-service/contracts';
import { fireSchedule, startRun } from '@export-service/schedules';
import { activityRow, insertActivityRows, runMaintenance } from '@export-service/testing';
import { DocumentedResponses } from './support/openapi';
import { download, startHarness, type Harness, type StatusBody } from './support/harness';

const WORKSPACE = 'ws_schedules';
let harness: Harness;
/** Every answer checked below is also checked against the schemas the OpenAPI document publishes. */
let documented: DocumentedResponses;
const keys = { admin: '', member: '', viewer: '', stranger: '' };
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
let templateId = '';

async function createSchedule(body: Record<string, unknown> = {}, key = keys.admin) {
  return request(harness.app)
    .post('/api/v1/export/scheduled')
    .set(auth(key))
    .send({ name: 'Daily Activity Export', template_id: templateId, frequency: 'daily', schedule: { time: '02:30', timezone: 'Europe/Berlin' }, ...body });
}

async function runsOf(scheduleId: string): Promise<StatusBody[]> {
  const answer = await request(harness.app).get(`/api/v1/export/scheduled/${scheduleId}/runs`).set(auth(keys.admin));
  expect(answer.status).toBe(200);
  documented.expectMatches('get', '/api/v1/export/scheduled/{id}/runs', 200, answer.body);
  return answer.body.runs as StatusBody[];
}

/** Polls the runs until each has finished (completed or failed), with a deadline. */
async function waitForRuns(scheduleId: string, count: number, timeoutMs = 90_000): Promise<StatusBody[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await runsOf(scheduleId);
    if (runs.length >= count && runs.every((run) => ['completed', 'failed'].includes(run.status as string))) return runs;
    if (Date.now() > deadline) throw new Error(`runs still unfinished: ${JSON.stringify(runs.map((run) => run.status))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  harness = await startHarness('schedules', { overrides: { WORKSPACE_MAX_QUEUED_EXPORTS: '100', WORKSPACE_MAX_RUNNING_EXPORTS: '4', SCHEDULE_RUN_RETRY_MS: '300' } });
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.member = await harness.createKey(WORKSPACE, 'member');
  keys.viewer = await harness.createKey(WORKSPACE, 'viewer');
  keys.stranger = await harness.createKey('ws_schedules_other', 'admin');
  await insertActivityRows(
    harness.env.analyticsPool,
    Array.from({ length: 30 }, (_, index) => activityRow({ workspace_id: WORKSPACE, timestamp: new Date(Date.UTC(2024, 0, 1 + index, 12)).toISOString() })),
  );
  const saved = await request(harness.app)
    .post('/api/v1/export/templates')
    .set(auth(keys.admin))
    .send({
      name: 'activity',
      configuration: { format: 'csv', data_sources: [{ type: 'user_activity', fields: ['resource_id', 'timestamp'], filters: { date_range: { relative: 'previous_day' } } }] },
    });
  templateId = saved.body.template_id as string;
  documented = new DocumentedResponses((await request(harness.app).get('/api/v1/openapi.json')).body);
}, 120_000);

afterAll(async () => {
  await harness.close();
});

describe('POST and GET /export/scheduled', () => {
  it('creates a schedule (the spec answer) whose next_run is the next 02:30 in Berlin, and lists it with the spec fields', async () => {
    const created = await createSchedule({ retention: { keep_exports_days: 90, auto_cleanup: true }, delivery: { method: 'download', auto_delete_after_days: 30 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ schedule_id: expect.stringMatching(/^sch_[0-9a-f]{32}$/), next_run: expect.any(String) });
    documented.expectMatches('post', '/api/v1/export/scheduled', 201, created.body);
    const nextRun = new Date(created.body.next_run as string);
    expect(nextRun.getTime()).toBeGreaterThan(Date.now());
    expect(nextRun.getTime() - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(nextRun)).toBe('02:30');
    const listed = await request(harness.app).get('/api/v1/export/scheduled').set(auth(keys.member));
    expect(listed.status).toBe(200);
    documented.expectMatches('get', '/api/v1/export/scheduled', 200, listed.body);
    expect(listed.body.schedules).toContainEqual(
      expect.objectContaining({
        id: created.body.schedule_id,
        name: 'Daily Activity Export',
        template_id: templateId,
        frequency: 'daily',
        next_run: created.body.next_run,
        last_run: null,
        is_active: true,
        delivery: { method: 'download', auto_delete_after_days: 30 },
      }),
    );
    // The scheduler is not running here: the API queued the first firing itself, as a delayed job with a deterministic id.
    const job = await harness.deps.queues.schedules.getJob(`fire-${created.body.schedule_id}-${nextRun.getTime()}`);
    expect(await job?.getState()).toBe('delayed');
  });

  it('refuses bad input with 422 or 404 naming the problem, members with 403, and hides other workspaces', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ frequency: 'fortnightly' }, 422, 'frequency'],
      [{ frequency: 'cron', schedule: { cron: '61 * * * *' } }, 422, 'schedule.cron'],
      [{ frequency: 'cron', schedule: { cron: '* * *' } }, 422, 'schedule.cron'],
      [{ schedule: { time: '02:30', timezone: 'Mars/Olympus_Mons' } }, 422, 'schedule.timezone'],
      [{ schedule: { time: '25:00' } }, 422, 'schedule.time'],
      [{ frequency: 'monthly', schedule: { day_of_month: 0 } }, 422, 'schedule.day_of_month'],
      [{ frequency: 'monthly', schedule: { day_of_month: 32 } }, 422, 'schedule.day_of_month'],
      [{ frequency: 'daily', schedule: { day_of_week: 'monday' } }, 422, 'schedule.day_of_week'],
      [{ retention: { auto_cleanup: true } }, 422, 'retention.keep_exports_days'],
      [{ template_id: 'tpl_' + '0'.repeat(32) }, 404, ''],
    ];
    for (const [body, status, field] of cases) {
      const refused = await createSchedule(body);
      expect({ body, status: refused.status }).toEqual({ body, status });
      documented.expectMatches('post', '/api/v1/export/scheduled', status, refused.body);
      if (field) expect(refused.body.error.details.map((detail: { field: string }) => detail.field)).toContain(field);
    }
    const foreignTemplate = await request(harness.app)
      .post('/api/v1/export/templates')
      .set(auth(keys.stranger))
      .send({ name: 'theirs', configuration: { format: 'csv', data_sources: [{ type: 'user_activity' }] } });
    const foreign = await createSchedule({ template_id: foreignTemplate.body.template_id });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toContain('template');
    const byMember = await createSchedule({}, keys.member);
    expect(byMember.status).toBe(403);
    documented.expectMatches('post', '/api/v1/export/scheduled', 403, byMember.body);
    const ours = (await createSchedule()).body.schedule_id as string;
    for (const path of ['', '/runs']) expect((await request(harness.app).get(`/api/v1/export/scheduled/${ours}${path}`).set(auth(keys.stranger))).status).toBe(404);
    expect((await request(harness.app).post(`/api/v1/export/scheduled/${ours}/run`).set(auth(keys.stranger))).status).toBe(404);
    expect((await request(harness.app).post(`/api/v1/export/scheduled/${ours}/pause`).set(auth(keys.member))).status).toBe(403);
  });

  it('refuses a template whose encryption password would be generated and shown to nobody', async () => {
    const encrypted = await request(harness.app)
      .post('/api/v1/export/templates')
      .set(auth(keys.admin))
      .send({ name: 'secret', configuration: { format: 'csv', data_sources: [{ type: 'user_activity' }], encryption: { enabled: true, password_protected: true } } });
    const refused = await createSchedule({ template_id: encrypted.body.template_id });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0]).toEqual({ field: 'template_id', problem: expect.stringContaining('generated password') });
  });
});

describe('changing a schedule', () => {
  it('pauses (no next_run, its firing removed), resumes, and moves its firing when PATCH changes the time', async () => {
    const created = await createSchedule({ frequency: 'hourly', schedule: { minute: 15 } });
    const id = created.body.schedule_id as string;
    const firstFiring = `fire-${id}-${Date.parse(created.body.next_run as string)}`;
    const paused = await request(harness.app).post(`/api/v1/export/scheduled/${id}/pause`).set(auth(keys.admin));
    expect(paused.body).toMatchObject({ is_active: false, next_run: null });
    documented.expectMatches('post', '/api/v1/export/scheduled/{id}/pause', 200, paused.body);
    expect(await harness.deps.queues.schedules.getJob(firstFiring)).toBeUndefined();
    const resumed = await request(harness.app).post(`/api/v1/export/scheduled/${id}/resume`).set(auth(keys.admin));
    expect(resumed.body).toMatchObject({ is_active: true, next_run: created.body.next_run });
    documented.expectMatches('post', '/api/v1/export/scheduled/{id}/resume', 200, resumed.body);
    const patched = await request(harness.app)
      .patch(`/api/v1/export/scheduled/${id}`)
      .set(auth(keys.admin))
      .send({ frequency: 'monthly', schedule: { day_of_month: 31, time: '06:00', timezone: 'America/New_York' }, name: 'Monthly' });
    expect(patched.status).toBe(200);
    documented.expectMatches('patch', '/api/v1/export/scheduled/{id}', 200, patched.body);
    expect(patched.body).toMatchObject({ name: 'Monthly', frequency: 'monthly', schedule: { day_of_month: 31, time: '06:00', timezone: 'America/New_York' } });
    const next = new Date(patched.body.next_run as string);
    expect(await harness.deps.queues.schedules.getJob(firstFiring)).toBeUndefined();
    expect(await (await harness.deps.queues.schedules.getJob(`fire-${id}-${next.getTime()}`))?.getState()).toBe('delayed');
    const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(next);
    expect(local).toBe('06:00');
    const badPatch = await request(harness.app)
      .patch(`/api/v1/export/scheduled/${id}`)
      .set(auth(keys.admin))
      .send({ schedule: { day_of_month: 0 } });
    expect(badPatch.status).toBe(422);
    documented.expectMatches('patch', '/api/v1/export/scheduled/{id}', 422, badPatch.body);
    const deleted = await request(harness.app).delete(`/api/v1/export/scheduled/${id}`).set(auth(keys.admin));
    expect(deleted.body).toEqual({ schedule_id: id, deleted: true });
    documented.expectMatches('delete', '/api/v1/export/scheduled/{id}', 200, deleted.body);
    expect((await request(harness.app).get(`/api/v1/export/scheduled/${id}`).set(auth(keys.admin))).status).toBe(404);
    expect(await harness.deps.queues.schedules.getJob(`fire-${id}-${next.getTime()}`)).toBeUndefined();
  });
});

describe('viewers', () => {
  it('read schedules and their runs (status-like), and change nothing', async () => {
    const id = (await createSchedule({ name: 'Watched' })).body.schedule_id as string;
    const started = await request(harness.app).post(`/api/v1/export/scheduled/${id}/run`).set(auth(keys.admin));
    expect(started.status).toBe(202);
    const reads = {
      list: await request(harness.app).get('/api/v1/export/scheduled').set(auth(keys.viewer)),
      one: await request(harness.app).get(`/api/v1/export/scheduled/${id}`).set(auth(keys.viewer)),
      runs: await request(harness.app).get(`/api/v1/export/scheduled/${id}/runs`).set(auth(keys.viewer)),
    };
    expect([reads.list.status, reads.one.status, reads.runs.status]).toEqual([200, 200, 200]);
    documented.expectMatches('get', '/api/v1/export/scheduled', 200, reads.list.body);
    documented.expectMatches('get', '/api/v1/export/scheduled/{id}', 200, reads.one.body);
    documented.expectMatches('get', '/api/v1/export/scheduled/{id}/runs', 200, reads.runs.body);
    expect(reads.runs.body.runs).toEqual([expect.objectContaining({ run_id: started.body.run_id, export_job_id: started.body.job_id })]);
    // The run's export is the workspace's: its status too, as for any export.
    expect((await request(harness.app).get(`/api/v1/export/status/${started.body.job_id}`).set(auth(keys.viewer))).status).toBe(200);
    const changes = [
      await createSchedule({}, keys.viewer),
      await request(harness.app).patch(`/api/v1/export/scheduled/${id}`).set(auth(keys.viewer)).send({ name: 'x' }),
      await request(harness.app).delete(`/api/v1/export/scheduled/${id}`).set(auth(keys.viewer)),
      ...(await Promise.all(['pause', 'resume', 'run'].map((action) => request(harness.app).post(`/api/v1/export/scheduled/${id}/${action}`).set(auth(keys.viewer))))),
      await request(harness.app).post(`/api/v1/export/scheduled/${id}/backfill`).set(auth(keys.viewer)).send({ start: '2024-01-01', end: '2024-01-02' }),
    ];
    expect(changes.map((answer) => [answer.status, answer.body.error.code])).toEqual(Array.from({ length: 7 }, () => [403, 'read_only_role']));
    expect((await request(harness.app).get(`/api/v1/export/scheduled/${id}/runs`).set(auth(keys.admin))).body.runs).toHaveLength(1);
    expect(await harness.waitForStatus(started.body.job_id as string, keys.admin)).toMatchObject({ status: 'completed' });
  });
});

describe('POST .../run and GET .../runs', () => {
  it('runs now through the one creation path, and lists the run with its export, whose lineage names the schedule', async () => {
    const id = (await createSchedule({ name: 'Run now' })).body.schedule_id as string;
    const started = await request(harness.app).post(`/api/v1/export/scheduled/${id}/run`).set(auth(keys.admin));
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ run_id: expect.stringMatching(/^run_/), job_id: expect.stringMatching(/^job_/), status: 'queued' });
    documented.expectMatches('post', '/api/v1/export/scheduled/{id}/run', 202, started.body);
    const status = await harness.waitForStatus(started.body.job_id as string, keys.admin);
    expect(status).toMatchObject({ status: 'completed', lineage: { origin: 'schedule', schedule_id: id, template_id: templateId } });
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ run_id: started.body.run_id, trigger: 'manual', status: 'completed', export_job_id: started.body.job_id, period: null });
    const listed = await request(harness.app).get(`/api/v1/export/scheduled/${id}`).set(auth(keys.admin));
    expect(Date.parse(listed.body.last_run as string)).toBeGreaterThan(Date.now() - 60_000);
    documented.expectMatches('get', '/api/v1/export/scheduled/{id}', 200, listed.body);
  });
});

describe('duplicate firings and starts', () => {
  it('record one run for a period fired many times at once, and make one export of a run started many times at once', async () => {
    const id = (await createSchedule({ name: 'Duplicated' })).body.schedule_id as string;
    const schedule = await harness.deps.scheduling.schedules.findById(id);
    const period = schedule?.nextRun as Date;
    // Five firings of one period at once, as if every replica and a retried job fired it together; late, so no clock waits.
    const fired = await Promise.all(Array.from({ length: 5 }, () => fireSchedule(harness.deps.scheduling, id, period, new Date(period.getTime() + 10))));
    const recorded = fired.filter((outcome) => outcome.outcome === 'recorded');
    expect(recorded).toHaveLength(1);
    const runs = (await harness.dataSource.query(`SELECT id, export_job_id FROM schedule_runs WHERE schedule_id = $1`, [id])) as Array<{ id: string; export_job_id: string }>;
    expect(runs).toHaveLength(1);
    const after = await harness.deps.scheduling.schedules.findById(id);
    expect(after?.nextRun?.getTime()).toBe(period.getTime() + 86_400_000);
    // And a late copy of that firing, once the schedule moved on, does nothing.
    expect(await fireSchedule(harness.deps.scheduling, id, period)).toEqual({ outcome: 'stale' });
    // The start job may already be running on the worker: start it four more times here, all at once.
    await Promise.all(Array.from({ length: 4 }, () => startRun(harness.deps.scheduling, runs[0]?.id as string)));
    const exports = (await harness.dataSource.query(`SELECT id FROM export_jobs WHERE schedule_id = $1`, [id])) as Array<{ id: string }>;
    expect(exports).toEqual([{ id: runs[0]?.export_job_id }]);
    expect((await harness.waitForStatus(runs[0]?.export_job_id as string, keys.admin)).status).toBe('completed');
  });
});

describe('POST .../backfill', () => {
  it('runs one export per period, named by it, with previous_day read at the period in the schedule\u2019s zone, and never twice for a period', async () => {
    const id = (await createSchedule({ name: 'Backfilled', schedule: { time: '00:30', timezone: 'Europe/Berlin' } })).body.schedule_id as string;
    const first = await request(harness.app).post(`/api/v1/export/scheduled/${id}/backfill`).set(auth(keys.admin)).send({ start: '2024-01-01', end: '2024-01-06' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ schedule_id: id, periods: 6, runs_created: 6, already_run: 0 });
    documented.expectMatches('post', '/api/v1/export/scheduled/{id}/backfill', 202, first.body);
    expect(first.body.runs.map((run: StatusBody) => run.period)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06']);
    const overlap = await request(harness.app).post(`/api/v1/export/scheduled/${id}/backfill`).set(auth(keys.admin)).send({ start: '2024-01-05', end: '2024-01-08' });
    expect(overlap.body).toMatchObject({ periods: 4, runs_created: 2, already_run: 2 });
    const runs = await waitForRuns(id, 8);
    expect(runs.map((run) => run.period).sort()).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07', '2024-01-08']);
    expect(new Set(runs.map((run) => run.export_job_id)).size).toBe(8);
    const jan5 = runs.find((run) => run.period === '2024-01-05') as StatusBody;
    expect(jan5).toMatchObject({
      trigger: 'backfill',
      status: 'completed',
      period_start: '2024-01-04T23:30:00.000Z',
      covered: { from: '2024-01-03T23:00:00.000Z', to: '2024-01-04T23:00:00.000Z' },
    });
    const status = await harness.waitForStatus(jan5.export_job_id as string, keys.admin);
    expect(status.name).toBe('Backfilled 2024-01-05');
    // The file holds exactly Jan 4th (Berlin), whose one seeded row is at 12:00 UTC.
    const file = await download(harness.app, keys.admin, `/api/v1/export/download/${jan5.export_job_id}/0`);
    expect(file.body.toString('utf8').trim().split('\n').slice(1)).toEqual([expect.stringContaining('2024-01-04T12:00:00')]);
  });

  it('refuses more than 1,000 periods, a start in the future, and a bad date, naming the field', async () => {
    const id = (await createSchedule({ frequency: 'hourly', schedule: {} })).body.schedule_id as string;
    const backfill = (body: Record<string, unknown>) => request(harness.app).post(`/api/v1/export/scheduled/${id}/backfill`).set(auth(keys.admin)).send(body);
    const tooMany = await backfill({ start: '2024-01-01', end: '2024-03-01' });
    expect(tooMany.status).toBe(422);
    documented.expectMatches('post', '/api/v1/export/scheduled/{id}/backfill', 422, tooMany.body);
    expect(tooMany.body.error.details[0]).toEqual({ field: 'end', problem: expect.stringContaining('more than 1,000 periods') });
    expect((await backfill({ start: '2999-01-01', end: '2999-01-02' })).body.error.details[0].field).toBe('start');
    expect((await backfill({ start: '2024-02-30', end: '2024-03-01' })).body.error.details[0]).toEqual({ field: 'start', problem: 'is not a real calendar date' });
    expect((await backfill({ start: '2024-01-01' })).body.error.details[0].field).toBe('end');
    const exactly = await backfill({ start: '2024-01-01T00:00:00Z', end: '2024-02-11T16:00:00Z' });
    expect(exactly.body).toMatchObject({ periods: 1_000, runs_created: 1_000 });
    // Deleted at once, so the thousand runs fail (their schedule is gone) instead of exporting.
    await request(harness.app).delete(`/api/v1/export/scheduled/${id}`).set(auth(keys.admin));
  });
});

describe('retention', () => {
  it('deletes a schedule\u2019s exports past keep_exports_days (auto_cleanup) and auto_delete_after_days in the daily job; downloads answer 410', async () => {
    const keep = (await createSchedule({ name: 'Kept', retention: { keep_exports_days: 7, auto_cleanup: true } })).body.schedule_id as string;
    const byDelivery = (await createSchedule({ name: 'Delivered', delivery: { method: 'download', auto_delete_after_days: 3 } })).body.schedule_id as string;
    const forever = (await createSchedule({ name: 'Forever', retention: { keep_exports_days: 7, auto_cleanup: false } })).body.schedule_id as string;
    const jobs: Record<string, string[]> = {};
    for (const id of [keep, byDelivery, forever]) {
      jobs[id] = [];
      for (let index = 0; index < 2; index += 1) {
        const started = await request(harness.app).post(`/api/v1/export/scheduled/${id}/run`).set(auth(keys.admin));
        (jobs[id] as string[]).push(started.body.job_id as string);
        await harness.waitForStatus(started.body.job_id as string, keys.admin);
      }
    }
    const [oldKept, newKept] = jobs[keep] as [string, string];
    const [oldDelivered, newDelivered] = jobs[byDelivery] as [string, string];
    await harness.dataSource.query(`UPDATE export_jobs SET created_at = now() - interval '8 days' WHERE id = ANY($1)`, [[oldKept, ...(jobs[forever] as string[])]]);
    await harness.dataSource.query(`UPDATE export_jobs SET completed_at = now() - interval '4 days' WHERE id = $1`, [oldDelivered]);
    await runMaintenance(harness, JobName.applyScheduleRetention, { limit: 100 });
    for (const gone of [oldKept, oldDelivered]) {
      expect((await request(harness.app).get(`/api/v1/export/status/${gone}`).set(auth(keys.admin))).body).toMatchObject({ deletion_reason: 'retention', files_available: false });
      const file = await download(harness.app, keys.admin, `/api/v1/export/download/${gone}/0`);
      expect(file.status).toBe(410);
    }
    for (const kept of [newKept, newDelivered, ...(jobs[forever] as string[])]) {
      expect((await request(harness.app).get(`/api/v1/export/status/${kept}`).set(auth(keys.admin))).body).toMatchObject({ deleted_at: null, files_available: true });
    }
  }, 120_000);
});

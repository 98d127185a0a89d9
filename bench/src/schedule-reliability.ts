/**
 * Schedule reliability (`npm run bench:schedules`): schedules fire every second while the workers
 * are SIGKILLed at random moments (and started again), then every period from each schedule's first
 * firing to its pause is checked for exactly one completed export. `--schedules N --seconds S`
 * size it (5 × 210 s ≈ 1,050 periods by default); `--kill-every-ms M` is the mean gap between kills.
 */
import { parseArgs } from 'node:util';
import { activityRow, insertActivityRows, KILL_STORM_SETTINGS, spawnService, startHarness, stopService, type ServiceProcess } from '@export-service/testing';

const WORKSPACE = 'ws_bench_schedules';

interface RunRow {
  schedule_id: string;
  period_at: Date;
  trigger: string;
  export_status: string | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { schedules: { type: 'string' }, seconds: { type: 'string' }, 'kill-every-ms': { type: 'string' } } });
  const scheduleCount = Number(values.schedules ?? 5);
  const seconds = Number(values.seconds ?? 210);
  const killEveryMs = Number(values['kill-every-ms'] ?? 2_500);
  const harness = await startHarness('benchschedules', {
    api: 'process',
    worker: false,
    overrides: { ...KILL_STORM_SETTINGS, WORKER_CONCURRENCY: '4', SCHEDULER_RECONCILE_MS: '1000', SCHEDULE_RUN_RETRY_MS: '250', SCHEDULE_CATCH_UP_AFTER_MS: '60000' },
  });
  const workers: ServiceProcess[] = [];
  let scheduler: ServiceProcess | null = null;
  try {
    const key = await harness.createKey(WORKSPACE, 'admin');
    await insertActivityRows(
      harness.env.analyticsPool,
      Array.from({ length: 200 }, (_, index) => activityRow({ workspace_id: WORKSPACE, timestamp: new Date(Date.now() - index * 600_000).toISOString() })),
    );
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${harness.app as string}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
      return answer;
    };
    const template = await call('POST', '/api/v1/export/templates', {
      name: 'reliability',
      configuration: { format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity', filters: { date_range: { relative: 'previous_day' } } }] },
    });
    for (let index = 0; index < 2; index += 1) workers.push(spawnService('worker', harness.env.env));
    scheduler = spawnService('scheduler', harness.env.env);
    const ids: string[] = [];
    for (let index = 0; index < scheduleCount; index += 1) {
      const created = await call('POST', '/api/v1/export/scheduled', {
        name: `every second ${index}`,
        template_id: template.template_id,
        frequency: 'every_seconds',
        schedule: { every_seconds: 1 },
      });
      ids.push(created.schedule_id as string);
    }
    console.log(`${scheduleCount} schedules firing every second for ${seconds} s; SIGKILLing one of 2 workers about every ${killEveryMs} ms`);
    const started = Date.now();
    let kills = 0;
    while (Date.now() - started < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * killEveryMs));
      const victim = Math.floor(Math.random() * workers.length);
      const worker = workers[victim] as ServiceProcess;
      worker.child.kill('SIGKILL');
      await worker.exited;
      kills += 1;
      workers[victim] = spawnService('worker', harness.env.env);
    }
    for (const id of ids) await call('POST', `/api/v1/export/scheduled/${id}/pause`);
    const firedFor = (Date.now() - started) / 1000;
    // Let every run finish: the last exports complete, killed attempts come back after their lock.
    const deadline = Date.now() + 180_000;
    let runs: RunRow[] = [];
    for (;;) {
      runs = (await harness.dataSource.query(
        `SELECT r.schedule_id, r.period_at, r.trigger, j.status AS export_status FROM schedule_runs r LEFT JOIN export_jobs j ON j.id = r.export_job_id WHERE r.schedule_id = ANY($1)`,
        [ids],
      )) as RunRow[];
      const isSettled = runs.every((run) => run.export_status === 'completed' || run.export_status === 'failed');
      if (isSettled || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const exportsPerSchedule = (await harness.dataSource.query(`SELECT schedule_id, status, count(*)::int AS n FROM export_jobs WHERE schedule_id = ANY($1) GROUP BY 1, 2`, [
      ids,
    ])) as Array<{
      schedule_id: string;
      status: string;
      n: number;
    }>;
    let periods = 0;
    let exactlyOne = 0;
    let missing = 0;
    let notCompleted = 0;
    for (const id of ids) {
      const own = runs.filter((run) => run.schedule_id === id);
      const times = own.map((run) => run.period_at.getTime()).sort((a, b) => a - b);
      if (times.length === 0) continue;
      const byPeriod = new Map(own.map((run) => [run.period_at.getTime(), run]));
      // Every second from the schedule's first firing to its last: a period without a run is a miss.
      for (let at = times[0] as number; at <= (times[times.length - 1] as number); at += 1_000) {
        periods += 1;
        const run = byPeriod.get(at);
        if (!run) missing += 1;
        else if (run.export_status === 'completed') exactlyOne += 1;
        else notCompleted += 1;
      }
    }
    const completedExports = exportsPerSchedule.filter((row) => row.status === 'completed').reduce((sum, row) => sum + row.n, 0);
    const catchUps = runs.filter((run) => run.trigger === 'catch_up').length;
    console.log(`fired for ${firedFor.toFixed(0)} s with ${kills} worker SIGKILLs`);
    console.log(`periods with exactly one completed export: ${exactlyOne}/${periods} (missing ${missing}, not completed ${notCompleted}, catch-ups ${catchUps})`);
    console.log(
      `exports of the schedules: ${exportsPerSchedule.reduce((sum, row) => sum + row.n, 0)} (${completedExports} completed) for ${runs.length} runs: ${completedExports === exactlyOne ? 'no period has two' : 'MISMATCH'}`,
    );
  } finally {
    await Promise.all([...workers, ...(scheduler ? [scheduler] : [])].map((service) => stopService(service)));
    await harness.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

import { createHash } from 'node:crypto';
import request from 'supertest';
import { JobName, type JobPayloads } from '@export-service/contracts';
import { addJob, closeQueues, createRedisConnection, openQueues } from '@export-service/queue';
import { download, type Harness, type StatusBody } from './harness';
import { decompress, parseCsv } from './readers';
import { spawnService, stopService, type ServiceProcess } from './service-process';
import { makeTempDir } from './tools';

/** Creates a csv.gz export of the workspace's user_activity through the API; returns its id. */
export async function createCsvExport(harness: Harness<unknown>, key: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name, format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity', fields: ['id', 'user_id', 'action', 'timestamp'] }], ...extra });
  if (created.status !== 202) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.job_id as string;
}

/** Status, tolerating answers other than 200 while a fault is under way; null then. */
export async function statusOf(harness: Harness<unknown>, key: string, jobId: string): Promise<StatusBody | null> {
  const response = await request(harness.app)
    .get(`/api/v1/export/status/${jobId}`)
    .set('Authorization', `Bearer ${key}`)
    .catch(() => null);
  return response?.status === 200 ? (response.body as StatusBody) : null;
}

/** Polls until `until` holds, through faults, with a deadline; runs `meanwhile` between polls. */
export async function waitFor(
  harness: Harness<unknown>,
  key: string,
  jobId: string,
  until: (body: StatusBody) => boolean,
  timeoutMs: number,
  meanwhile?: () => Promise<void>,
): Promise<StatusBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await statusOf(harness, key, jobId);
    if (body && until(body)) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} is ${JSON.stringify(body?.status)} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await meanwhile?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Downloads a completed csv.gz export and proves it whole: the bytes hash to the listed checksum,
 * and the file holds every expected row id exactly once.
 */
export async function expectWholeCsvExport(harness: Harness<unknown>, key: string, done: StatusBody, expectedIds: Set<string>): Promise<void> {
  const problem = await checkWholeCsvExport(harness, key, done, expectedIds);
  if (problem) throw new Error(problem);
}

/** What is wrong with a completed csv.gz export (null when its bytes match its checksum and it holds every row once). */
export async function checkWholeCsvExport(harness: Harness<unknown>, key: string, done: StatusBody, expectedIds: Set<string>): Promise<string | null> {
  const file = done.files[0] as StatusBody;
  const fetched = await download(harness.app, key, file.download_url as string);
  if (fetched.status !== 200) return `download answered ${fetched.status}`;
  const digest = `sha256:${createHash('sha256').update(fetched.body).digest('hex')}`;
  if (digest !== file.checksum || fetched.headers['x-checksum'] !== file.checksum) return `checksum mismatch: file ${digest}, listed ${file.checksum}`;
  const scratch = await makeTempDir('whole-export');
  const rows = await parseCsv(await decompress(fetched.body, 'gzip', scratch.path)).finally(() => scratch.cleanup());
  const ids = rows.map((row) => row.id as string);
  if (ids.length !== expectedIds.size || new Set(ids).size !== ids.length || ids.some((id) => !expectedIds.has(id))) {
    return `expected ${expectedIds.size} distinct rows, got ${ids.length} (${new Set(ids).size} distinct)`;
  }
  if (file.rows !== expectedIds.size) return `listed ${file.rows} rows, expected ${expectedIds.size}`;
  return null;
}

/** The ids of a workspace's exportable user_activity rows. */
export async function exportableIds(harness: Harness<unknown>, workspaceId: string): Promise<Set<string>> {
  const { rows } = await harness.env.analyticsPool.query<{ id: string }>('SELECT id::text AS id FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL', [workspaceId]);
  return new Set(rows.map((row) => row.id));
}

/** Queues a maintenance job on the harness's queues and waits until it has run. */
export async function runMaintenance<N extends JobName>(harness: Harness<unknown>, name: N, payload: JobPayloads[N]): Promise<void> {
  const redis = createRedisConnection(harness.env.config.redis.url, 'client');
  const queues = openQueues(redis, harness.env.config.redis.queuePrefix, { attempts: 1, backoffMs: 0 });
  try {
    const job = await addJob(queues, name, payload);
    // A worker started just before may still be booting (migrations, Redis) on a busy machine.
    const deadline = Date.now() + 60_000;
    while (!(await job.isCompleted())) {
      if (Date.now() > deadline) throw new Error(`${name} did not run`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await closeQueues(queues);
    redis.disconnect();
  }
}

/** Export runs of a job, oldest first. */
export async function runsOf(harness: Harness<unknown>, jobId: string): Promise<Array<{ id: string; status: string; error_code: string | null }>> {
  return (await harness.dataSource.query(`SELECT id, status, error_code FROM export_runs WHERE job_id = $1 ORDER BY started_at`, [jobId])) as Array<{
    id: string;
    status: string;
    error_code: string | null;
  }>;
}

/** Worker settings for a kill storm: short locks so killed jobs come back fast, and no limit on stalls or parallel exports. */
export const KILL_STORM_SETTINGS: Readonly<Record<string, string>> = {
  WORKER_LOCK_DURATION_MS: '1000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  WORKER_MAX_STALLED_COUNT: '100',
  WORKER_CONCURRENCY: '2',
  WORKSPACE_MAX_RUNNING_EXPORTS: '1000',
  WORKSPACE_MAX_QUEUED_EXPORTS: '100000',
};

/** Worker settings for the frozen-worker scenario: a frozen worker loses its job within seconds. */
export const FROZEN_WORKER_SETTINGS: Readonly<Record<string, string>> = {
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  WORKER_MAX_STALLED_COUNT: '5',
  WORKER_CONCURRENCY: '1',
};

/** What a kill storm left: every export's outcome, counted. */
export interface KillStormOutcome {
  exports: number;
  kills: number;
  completed: number;
  failed: number;
  /** Completed exports whose file did not match its checksum or did not hold every row exactly once. */
  damaged: number;
  /** Attempts (runs) the exports took; more than `exports` means kills landed mid-export. */
  attempts: number;
  problems: string[];
}

/** A deterministic stream of delays between `min` and `max` ms, so a failure can be replayed. */
export function seededDelays(seed: number, min: number, max: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return min + (state % (max - min));
  };
}

/**
 * (f) Creates `exports` csv.gz exports, then starts and SIGKILLs a worker `kills` times at seeded
 * random moments, then lets one worker finish: counts how many exports completed whole.
 */
export async function runKillStorm(
  harness: Harness<unknown>,
  key: string,
  workspaceId: string,
  options: { exports: number; kills: number; seed: number },
): Promise<KillStormOutcome> {
  const ids: string[] = [];
  for (let index = 0; index < options.exports; index += 1) ids.push(await createCsvExport(harness, key, `storm ${index}`));
  const next = seededDelays(options.seed, 150, 1_500);
  for (let kill = 0; kill < options.kills; kill += 1) {
    const worker: ServiceProcess = spawnService('worker', harness.env.env);
    await new Promise((resolve) => setTimeout(resolve, next()));
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  const survivor = spawnService('worker', harness.env.env);
  const expected = await exportableIds(harness, workspaceId);
  const outcome: KillStormOutcome = { exports: options.exports, kills: options.kills, completed: 0, failed: 0, damaged: 0, attempts: 0, problems: [] };
  try {
    for (const jobId of ids) {
      const done = await waitFor(harness, key, jobId, (body) => body.status === 'completed' || body.status === 'failed', 300_000);
      if (done.status !== 'completed') {
        outcome.failed += 1;
        outcome.problems.push(`${jobId}: ${done.status} ${done.error_code}`);
        continue;
      }
      outcome.completed += 1;
      const problem = await checkWholeCsvExport(harness, key, done, expected);
      if (problem) {
        outcome.damaged += 1;
        outcome.problems.push(`${jobId}: ${problem}`);
      }
    }
  } finally {
    await stopService(survivor);
  }
  const [runs] = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM export_runs WHERE job_id = ANY($1)`, [ids])) as Array<{ n: number }>;
  outcome.attempts = runs?.n ?? 0;
  return outcome;
}

/** What one frozen-worker round left. */
export interface FrozenWorkerOutcome {
  status: string;
  /** Attempts that completed: must be exactly 1. */
  completedRuns: number;
  runs: number;
  /** What is wrong with the file (null when its bytes match its checksum and it holds every row once). */
  problem: string | null;
  /** Every listed file comes from the completed attempt's own prefix. */
  isListedFromCompletedRun: boolean;
  /** The thawed worker said it lost the job (lock lost, or its completion refused). */
  isNoticedByThawedWorker: boolean;
}

/** What a worker that lost its job says (it stopped on a lost lock, or its completion was refused). */
const THAWED_NOTICE = /lost the lock|another attempt owns it|finished meanwhile/;

/**
 * (a) Starts a worker on a csv.gz export, freezes it (SIGSTOP) past its lock, lets a second worker
 * take the export over, thaws the first while the second writes, and reports what came out.
 * The harness must run with short locks and no worker of its own.
 */
export async function runFrozenWorker(harness: Harness<unknown>, key: string, workspaceId: string): Promise<FrozenWorkerOutcome> {
  const first = spawnService('worker', harness.env.env);
  let second: ServiceProcess | null = null;
  try {
    const jobId = await createCsvExport(harness, key, 'frozen');
    await waitFor(harness, key, jobId, (body) => body.status === 'processing' && body.progress.rows_processed > 20_000, 60_000);
    first.child.kill('SIGSTOP');
    second = spawnService('worker', harness.env.env);
    const deadline = Date.now() + 60_000;
    while ((await runsOf(harness, jobId)).length < 2) {
      if (Date.now() > deadline) throw new Error('no second attempt started');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    first.child.kill('SIGCONT');
    const done = await waitFor(harness, key, jobId, (body) => body.status === 'completed' || body.status === 'failed', 120_000);
    const runs = await runsOf(harness, jobId);
    const completedRun = runs.find((run) => run.status === 'completed')?.id;
    const keys = (await harness.dataSource.query(`SELECT storage_key FROM export_files WHERE job_id = $1`, [jobId])) as Array<{ storage_key: string }>;
    const problem = done.status === 'completed' ? await checkWholeCsvExport(harness, key, done, await exportableIds(harness, workspaceId)) : 'the export did not complete';
    const noticeDeadline = Date.now() + 15_000;
    while (!THAWED_NOTICE.test(first.output.join('')) && Date.now() < noticeDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
    return {
      status: done.status as string,
      completedRuns: runs.filter((run) => run.status === 'completed').length,
      runs: runs.length,
      problem,
      isListedFromCompletedRun: completedRun !== undefined && keys.length > 0 && keys.every((row) => row.storage_key.includes(`/${completedRun}/`)),
      isNoticedByThawedWorker: THAWED_NOTICE.test(first.output.join('')),
    };
  } finally {
    first.child.kill('SIGCONT');
    await stopService(first);
    if (second) await stopService(second);
  }
}

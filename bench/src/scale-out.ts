/**
 * Scale-out proof (`npm run bench:scale`): the API and three worker processes on this machine, 50
 * exports of mixed formats, one worker SIGKILLed while it runs exports; prints how many completed,
 * that every file's bytes match its checksum, how many exports each worker finished, and the time.
 * Then the same 50 exports with one worker, for comparison. `--exports N --rows N --workers N` resize it.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { seedAnalytics } from '@export-service/analytics';
import { createCsvExport, download, spawnService, startHarness, stopService, waitFor, type Harness, type ServiceProcess, type StatusBody } from '@export-service/testing';
import { waitForQuiet } from './machine-load';

const WORKSPACE = 'ws_bench_scale';

/** The mix: every format, with and without compression. */
const MIX: Array<Record<string, unknown>> = [
  { format: 'csv', compression: 'gzip' },
  { format: 'jsonl', compression: 'gzip' },
  { format: 'json', compression: 'none' },
  { format: 'parquet', compression: 'none' },
  { format: 'excel', compression: 'none' },
  { format: 'csv', compression: 'zip' },
];

/** Short locks, so the killed worker's exports come back within seconds; no per-workspace cap. */
const SETTINGS = {
  WORKER_CONCURRENCY: '2',
  WORKER_LOCK_DURATION_MS: '4000',
  WORKER_STALLED_INTERVAL_MS: '2000',
  WORKER_MAX_STALLED_COUNT: '5',
  WORKSPACE_MAX_RUNNING_EXPORTS: '1000',
  WORKSPACE_MAX_QUEUED_EXPORTS: '100000',
  EXPORT_ATTEMPTS: '3',
};

interface RunOutcome {
  workers: number;
  exports: number;
  completed: number;
  failed: number;
  files: number;
  checksumsVerified: number;
  rowsVerified: number;
  perWorker: Map<string, number>;
  killed: string | null;
  attempts: number;
  seconds: number;
}

/** Which worker finished which export: each worker logs `export completed` with the export id. */
function completedBy(workers: Array<{ name: string; process: ServiceProcess }>): Map<string, string> {
  const owner = new Map<string, string>();
  for (const { name, process } of workers) {
    for (const line of process.output.join('').split('\n')) {
      if (!line.includes('"export completed"')) continue;
      const id = /"exportJobId":"(job_[0-9a-f]{32})"/.exec(line)?.[1];
      if (id) owner.set(id, name);
    }
  }
  return owner;
}

/** Downloads every file of a completed export and checks its bytes against the listed checksum and X-Checksum. */
async function verifyFiles(harness: Harness<unknown>, key: string, status: StatusBody): Promise<{ files: number; verified: number; rows: number }> {
  let verified = 0;
  let rows = 0;
  const files = status.files as StatusBody[];
  for (const file of files) {
    const fetched = await download(harness.app, key, file.download_url as string);
    const digest = `sha256:${createHash('sha256').update(fetched.body).digest('hex')}`;
    if (fetched.status === 200 && digest === file.checksum && fetched.headers['x-checksum'] === file.checksum && fetched.body.length === file.bytes) verified += 1;
    if (file.format !== 'manifest') rows += file.rows as number;
  }
  return { files: files.length, verified, rows };
}

async function runOnce(
  harness: Harness<unknown>,
  key: string,
  options: { exports: number; workers: number; kill: boolean; expectedRows: number },
  log: (line: string) => void,
): Promise<RunOutcome> {
  const workers: Array<{ name: string; process: ServiceProcess }> = [];
  for (let index = 0; index < options.workers; index += 1) workers.push({ name: `worker-${index + 1}`, process: spawnService('worker', harness.env.env, undefined, 'info') });
  const deadline = Date.now() + 60_000;
  while (!workers.every(({ process }) => process.output.join('').includes('worker started'))) {
    if (Date.now() > deadline) throw new Error('the workers did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const started = Date.now();
  const ids: string[] = [];
  for (let index = 0; index < options.exports; index += 1)
    ids.push(await createCsvExport(harness, key, `scale ${index}`, { ...MIX[index % MIX.length], data_sources: [{ type: 'user_activity' }] }));
  log(`  ${options.exports} exports queued in ${((Date.now() - started) / 1000).toFixed(1)} s on ${options.workers} worker(s)`);

  let killed: string | null = null;
  if (options.kill) {
    // SIGKILL the second worker once a third of the exports are done and it is running exports.
    const victim = workers[1] as { name: string; process: ServiceProcess };
    const running = () => victim.process.output.join('').split('"export started"').length - 1 > victim.process.output.join('').split('"export completed"').length - 1;
    const until = Date.now() + 300_000;
    while (completedBy(workers).size < options.exports / 3 || !running()) {
      if (Date.now() > until) throw new Error('no moment to kill a worker came');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    victim.process.child.kill('SIGKILL');
    await victim.process.exited;
    killed = victim.name;
    log(`  SIGKILL ${victim.name} (pid ${victim.process.child.pid}) with exports running, after ${completedBy(workers).size}/${options.exports} completed`);
  }

  const outcome: RunOutcome = { ...options, completed: 0, failed: 0, files: 0, checksumsVerified: 0, rowsVerified: 0, perWorker: new Map(), killed, attempts: 0, seconds: 0 };
  const finals: StatusBody[] = [];
  for (const id of ids) finals.push(await waitFor(harness, key, id, (body) => body.status === 'completed' || body.status === 'failed', 600_000));
  outcome.seconds = (Date.now() - started) / 1000;
  for (const status of finals) {
    if (status.status !== 'completed') {
      outcome.failed += 1;
      log(`  ${status.job_id}: ${status.status} ${status.error_code}`);
      continue;
    }
    outcome.completed += 1;
    const checked = await verifyFiles(harness, key, status);
    outcome.files += checked.files;
    outcome.checksumsVerified += checked.verified;
    if (checked.rows === options.expectedRows) outcome.rowsVerified += 1;
  }
  const owners = completedBy(workers);
  for (const { name } of workers) outcome.perWorker.set(name, [...owners.values()].filter((owner) => owner === name).length);
  const [runs] = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM export_runs WHERE job_id = ANY($1)`, [ids])) as Array<{ n: number }>;
  outcome.attempts = runs?.n ?? 0;
  await Promise.all(workers.map(({ process }) => stopService(process)));
  return outcome;
}

function print(title: string, outcome: RunOutcome): void {
  console.log(title);
  console.log(`  completed ${outcome.completed}/${outcome.exports}${outcome.failed ? `, FAILED ${outcome.failed}` : ''}`);
  console.log(`  checksums verified ${outcome.checksumsVerified}/${outcome.files} files (bytes downloaded, sha256 = listed checksum = X-Checksum)`);
  console.log(`  exports holding every expected row ${outcome.rowsVerified}/${outcome.completed}`);
  console.log(`  exports per worker: ${[...outcome.perWorker].map(([name, count]) => `${name} ${count}${name === outcome.killed ? ' (SIGKILLed)' : ''}`).join(', ')}`);
  console.log(`  attempts ${outcome.attempts} for ${outcome.exports} exports; time ${outcome.seconds.toFixed(1)} s (${(outcome.exports / outcome.seconds).toFixed(2)} exports/s)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { exports: { type: 'string' }, rows: { type: 'string' }, workers: { type: 'string' } } });
  const exports = Number(values.exports ?? 50);
  const rows = Number(values.rows ?? 40_000);
  const workers = Number(values.workers ?? 3);
  const harness = await startHarness('benchscale', { api: 'process', worker: false, overrides: SETTINGS });
  try {
    const key = await harness.createKey(WORKSPACE, 'admin');
    await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows });
    const { rows: counted } = await harness.env.analyticsPool.query<{ n: number }>('SELECT count(*)::int AS n FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL', [
      WORKSPACE,
    ]);
    const expectedRows = counted[0]?.n ?? 0;
    console.log(`${exports} exports of ${expectedRows} user_activity rows each, mixed formats (${MIX.map((item) => `${item.format}/${item.compression}`).join(', ')})`);
    const quiet = await waitForQuiet((line) => console.log(line), 0.15, 60);
    console.log(`machine ${(quiet.busyShare * 100).toFixed(0)}% busy before the runs (2 cores shared)`);
    const log = (line: string) => console.log(line);
    const scaled = await runOnce(harness, key, { exports, workers, kill: true, expectedRows }, log);
    print(`${workers} workers, one SIGKILLed mid-run:`, scaled);
    const single = await runOnce(harness, key, { exports, workers: 1, kill: false, expectedRows }, log);
    print('1 worker, for comparison:', single);
    const unkilled = await runOnce(harness, key, { exports, workers, kill: false, expectedRows }, log);
    print(`${workers} workers, none killed (what the kill cost):`, unkilled);
    console.log(
      `time with ${workers} workers, one killed: ${scaled.seconds.toFixed(1)} s; none killed: ${unkilled.seconds.toFixed(1)} s; 1 worker: ${single.seconds.toFixed(1)} s (${availableParallelism()} cores on this machine)`,
    );
    if ([scaled, single, unkilled].some((run) => run.completed !== exports || run.checksumsVerified !== run.files)) process.exitCode = 1;
  } finally {
    await harness.close();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

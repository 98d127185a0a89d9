import { join } from 'node:path';
import { ExportApi } from './api-client';
import { dropBenchDatabases, ensureBenchDatabases, prepareWorkspace, type SeedOutcome } from './bench-data';
import { BENCH, freePort, serviceEnv, workspaceFor, type RunDirs } from './bench-env';
import { runCeiling, type CeilingResult } from './ceiling';
import { FLAT_ROWS, type BenchOptions } from './options';
import { clearBenchKeys } from './redis-keys';
import { runRepeated } from './repeat';
import { runCase, type CaseResult } from './run-case';
import { createAdminKey, startApi } from './service';
import { startS3Server, type TestS3Server } from '@export-service/testing';

/** What a run measured. */
export interface Measured {
  workspaces: SeedOutcome[];
  ceiling: CeilingResult | null;
  cases: CaseResult[];
}

/**
 * Prepares the databases and workspaces, runs the ceiling (not in --flat), then starts the API and
 * times every case in every workspace, each with a worker of its own. Logs progress through `log`.
 */
export async function measure(options: BenchOptions, dirs: RunDirs, logDir: string, log: (line: string) => void): Promise<Measured> {
  if (options.isFresh) {
    log(`--fresh: dropping ${BENCH.metaDatabase} and ${BENCH.dataDatabase}`);
    await dropBenchDatabases();
  }
  await ensureBenchDatabases();
  const rowCounts = options.isFlat ? [...FLAT_ROWS] : [options.rows];
  const workspaces: SeedOutcome[] = [];
  for (const rows of rowCounts) workspaces.push(await prepareWorkspace(workspaceFor(rows), rows, log));
  log(`cleared ${await clearBenchKeys()} leftover Redis keys under ${BENCH.queuePrefix}:`);

  const port = await freePort();
  const env = serviceEnv(dirs, port);
  let ceiling: CeilingResult | null = null;
  const main = workspaces[0];
  if (!options.isFlat && main) {
    log(`ceiling: psql \\copy | gzip -1 of ${main.exportableRows} rows`);
    const repeated = await runRepeated(
      'ceiling',
      options,
      () => runCeiling(main.workspace, dirs.ceiling, main.exportableRows, env, log),
      (result) => ({ seconds: result.seconds, otherCpuSeconds: result.rss.otherCpuSeconds, isOk: true, peakRssBytes: result.rss.peakBytes }),
      log,
    );
    ceiling = { ...repeated.median, highestRss: repeated.highestRss.rss, discardedAttempts: repeated.discarded, runs: repeated.runs };
  }

  const keys = new Map<string, string>();
  for (const workspace of workspaces) keys.set(workspace.workspace, await createAdminKey(workspace.workspace, env));
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`starting the API on ${baseUrl}`);
  const api = await startApi(env, baseUrl, join(logDir, 'api.log'));
  const cases: CaseResult[] = [];
  // Delivery cases upload to s3rver on loopback, its own process (not part of the worker's RSS).
  let s3: TestS3Server | null = null;
  try {
    if (options.cases.some((benchCase) => benchCase.delivery === 's3')) s3 = await startS3Server(['bench-delivery']);
    const s3Target = s3 ? { endpoint: s3.endpoint, bucket: 'bench-delivery', ...s3.credentials } : null;
    for (const workspace of workspaces) {
      for (const benchCase of options.cases) {
        log(`${benchCase.id} @ ${workspace.seededRows} rows: starting a worker`);
        const context = {
          api: new ExportApi(baseUrl, keys.get(workspace.workspace) ?? ''),
          env,
          expectedRows: workspace.exportableRows,
          seededRows: workspace.seededRows,
          storageDir: dirs.storage,
          logDir,
          timeoutSeconds: options.timeoutSeconds || 120 + Math.ceil(workspace.seededRows / 2_000),
          log,
          s3: s3Target,
        };
        const repeated = await runRepeated(
          `${benchCase.id} @ ${workspace.seededRows} rows`,
          options,
          () => runCase(benchCase, context),
          (result) => ({ seconds: result.seconds, otherCpuSeconds: result.workerRss.otherCpuSeconds, isOk: result.isOk, peakRssBytes: result.workerRss.peakBytes }),
          log,
        );
        const result = { ...repeated.median, highestWorkerRss: repeated.highestRss.workerRss, discardedAttempts: repeated.discarded, runs: repeated.runs };
        log(
          `${benchCase.id}: ${result.isOk ? `${result.seconds.toFixed(2)} s, highest peak RSS ${(result.highestWorkerRss.peakBytes / 1e6).toFixed(1)} MB` : `FAILED: ${result.failure?.message}`}`,
        );
        cases.push(result);
      }
    }
  } finally {
    await api.stop();
    await s3?.stop();
  }
  return { workspaces, ceiling, cases };
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { SeedOutcome } from './bench-data';
import { makeRunDirs, removeRunDirs, REPO_ROOT } from './bench-env';
import { codeVersion, hasChanged, type CodeVersion } from './code-version';
import type { CeilingResult } from './ceiling';
import { killAllProcessesNow, stopAllProcesses } from './managed-process';
import { measure, type Measured } from './measure';
import { parseOptions, USAGE } from './options';
import { printReport } from './print-report';
import { clearBenchKeys } from './redis-keys';
import type { TargetCheck } from './report';
import type { CaseResult } from './run-case';

/**
 * Export throughput benchmark: seeds its own databases, runs the real API and one worker, times every
 * format through the public API against the psql | gzip ceiling, and samples the worker's peak RSS.
 * `npm run bench`; `--help` for the options.
 */

const startedAt = Date.now();
function log(line: string): void {
  process.stderr.write(`[bench +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${line}\n`);
}

/** Everything a run measured, as written to bench/results/<timestamp>.json. */
interface RunReport {
  startedAt: string;
  mode: 'throughput' | 'flat';
  machine: { cpus: number; cpuModel: string; node: string };
  /** The service measured, before and after the run (others may edit and rebuild it meanwhile). */
  code: { atStart: CodeVersion; atEnd: CodeVersion; changedDuringRun: boolean };
  options: { rows: number[]; cases: string[]; fresh: boolean; maxAttempts: number; repeat: number };
  workspaces: SeedOutcome[];
  ceiling: CeilingResult | null;
  cases: CaseResult[];
  targets: TargetCheck[];
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const stamp = new Date(startedAt).toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  const logDir = join(resultsDir, `${stamp}-logs`);
  mkdirSync(logDir, { recursive: true });
  const dirs = makeRunDirs();
  process.on('exit', killAllProcessesNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the service processes`);
      void stopAllProcesses(5_000).finally(() => {
        removeRunDirs(dirs);
        process.exit(130);
      });
    });
  }

  const codeAtStart = codeVersion();
  let measured: Measured;
  try {
    measured = await measure(options, dirs, logDir, log);
  } finally {
    await stopAllProcesses();
    await clearBenchKeys().catch(() => 0);
    removeRunDirs(dirs);
  }
  const codeAtEnd = codeVersion();
  const code = { atStart: codeAtStart, atEnd: codeAtEnd, changedDuringRun: hasChanged(codeAtStart, codeAtEnd) };
  const targets = printReport(options, measured, code);
  const report: RunReport = {
    startedAt: new Date(startedAt).toISOString(),
    mode: options.isFlat ? 'flat' : 'throughput',
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    code,
    options: {
      rows: measured.workspaces.map((workspace) => workspace.seededRows),
      cases: options.cases.map((c) => c.id),
      fresh: options.isFresh,
      maxAttempts: options.maxAttempts,
      repeat: options.repeat,
    },
    workspaces: measured.workspaces,
    ceiling: measured.ceiling,
    cases: measured.cases,
    targets,
  };
  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nresults: ${file}\nservice logs: ${logDir}\n`);
  if (measured.cases.some((result) => !result.isOk)) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAllProcesses();
  process.exit(1);
});

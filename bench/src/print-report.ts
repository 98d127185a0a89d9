import { cpus } from 'node:os';
import type { CodeVersion } from './code-version';
import type { Measured } from './measure';
import { FLAT_ROWS, type BenchOptions } from './options';
import { checkTargets, flatnessChecks, flatRunsTable, rssChecks, targetTable, throughputTable, type TargetCheck } from './report';
import type { CaseResult } from './run-case';
import { DISTURBED_SHARE } from './undisturbed';

function printFailures(cases: CaseResult[]): void {
  for (const result of cases) {
    if (!result.failure) continue;
    process.stdout.write(`\n${result.label} @ ${result.seededRows} rows FAILED: ${result.failure.message}\nlast ${result.failure.workerLog.length} lines of the worker:\n`);
    process.stdout.write(`${result.failure.workerLog.map((line) => `  ${line}`).join('\n')}\n`);
  }
}

/** Prints the tables and returns the target checks. */
export function printReport(options: BenchOptions, { ceiling, cases, workspaces }: Measured, code: { atStart: CodeVersion; changedDuringRun: boolean }): TargetCheck[] {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out('');
  const edits = code.atStart.uncommitted.length;
  out(`service: commit ${code.atStart.commit}${edits > 0 ? ` + ${edits} uncommitted file(s) under apps/ libs/` : ''}, built ${code.atStart.newestBuild}`);
  if (code.changedDuringRun) out('WARNING: the service was edited or rebuilt during this run: its figures may mix two versions; run again.');
  for (const workspace of workspaces) {
    out(
      `workspace ${workspace.workspace}: ${workspace.seededRows.toLocaleString('en-US')} rows seeded, ${workspace.exportableRows.toLocaleString('en-US')} exportable (not soft-deleted)${workspace.wasSeeded ? `, seeded in ${workspace.seedSeconds.toFixed(0)} s` : ''}`,
    );
  }
  out(
    `machine: ${cpus().length} cores, Node ${process.version}; MB = 1,000,000 bytes; RSS = VmRSS of the worker + its children (lbzip2), sampled every 100 ms; a fresh worker per case`,
  );
  out("idle RSS = the worker before the export; other CPU = CPU used meanwhile by processes that are not the benchmark's, in % of one core");
  let checks: TargetCheck[];
  if (options.isFlat) {
    out('\nFlatness: peak worker RSS as rows grow 5×\n');
    out(flatRunsTable(cases));
    checks = [...flatnessChecks(cases, FLAT_ROWS[0], FLAT_ROWS[1]), ...rssChecks(cases)];
  } else {
    if (ceiling)
      out(`source bytes: ${(ceiling.csvBytes / 1e6).toFixed(1)} MB of plain CSV (${(ceiling.csvBytes / ceiling.rows).toFixed(1)} bytes a row), measured from the ceiling's output`);
    out('\nExport throughput (wall time from POST create to status completed)\n');
    out(throughputTable(ceiling, cases));
    checks = checkTargets(ceiling, cases);
  }
  const busy = [...(ceiling ? [['ceiling', ceiling.quiet] as const] : []), ...cases.map((result) => [`${result.id}@${result.seededRows}`, result.quiet] as const)];
  out(
    `\nmachine busy (all cores) in the 2 s before each measurement: ${busy.map(([name, quiet]) => `${name} ${(quiet.busyShare * 100).toFixed(0)}%${quiet.isQuiet ? '' : ' (NOT QUIET)'}`).join(', ')}`,
  );
  const repeated = [
    ...(ceiling ? [['ceiling', ceiling.discardedAttempts] as const] : []),
    ...cases.map((result) => [`${result.id}@${result.seededRows}`, result.discardedAttempts] as const),
  ]
    .filter(([, discarded]) => discarded.length > 0)
    .map(
      ([name, discarded]) => `${name} (${discarded.map((attempt) => `${attempt.seconds.toFixed(2)} s with ${attempt.otherCpuSeconds.toFixed(1)} CPU-s of other work`).join('; ')})`,
    );
  out(`runs set aside because other processes used > ${DISTURBED_SHARE * 100}% of a core meanwhile: ${repeated.length > 0 ? repeated.join(', ') : 'none'}`);
  if (options.repeat > 1) {
    const all = [...(ceiling ? [['ceiling', ceiling.runs] as const] : []), ...cases.map((result) => [`${result.id}@${result.seededRows}`, result.runs] as const)];
    out(`each measurement ran ${options.repeat} times; table = the median time, the highest peak RSS. seconds / peak RSS MB of every run:`);
    for (const [name, runs] of all) out(`  ${name}: ${runs.map((run) => `${run.seconds.toFixed(2)} s / ${(run.peakRssBytes / 1e6).toFixed(0)} MB`).join(', ')}`);
  }
  out('\nTargets\n');
  out(targetTable(checks));
  printFailures(cases);
  return checks;
}

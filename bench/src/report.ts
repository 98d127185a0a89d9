import type { CeilingResult } from './ceiling';
import type { CaseResult } from './run-case';

/** Decimal megabytes, as the service counts them (1 MB = 1,000,000 bytes); RSS too. */
const MB = 1_000_000;

/** Targets of the issues. */
export const TARGETS = {
  csvGzipShareOfCeiling: 0.7,
  parquetRowsPerSecond: 150_000,
  excelRowsPerSecond: 50_000,
  workerRssBytes: 300 * MB,
  /** --flat calls RSS flat when the 5M-row peak is at most this multiple of the 1M-row peak. */
  flatRatio: 1.25,
} as const;

/** One target and how the run did against it. */
export interface TargetCheck {
  target: string;
  measured: string;
  verdict: 'PASS' | 'FAIL' | 'n/a';
}

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const mb = (bytes: number, digits = 1) => (bytes / MB).toFixed(digits);

/** CPU other processes used during a measurement, in % of one core (see RssPeak.otherCpuSeconds). */
function otherCpu(rss: { otherCpuSeconds: number }, seconds: number): string {
  return seconds > 0 ? `${((rss.otherCpuSeconds / seconds) * 100).toFixed(0)}%` : '—';
}

/** Rows per second of a case (0 when it failed). */
export function rowsPerSecond(result: { rows: number; seconds: number }): number {
  return result.seconds > 0 ? result.rows / result.seconds : 0;
}

/** Renders rows as an aligned text table; numbers are right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const isNumeric = header.map((_, column) => rows.every((row) => /^[-\d.,%×]*$|^—$|^FAILED$/.test(row[column] ?? '')));
  const line = (cells: string[]) => cells.map((cell, column) => (isNumeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join(' | ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(line)].join('\n');
}

/** The throughput table of a normal run: the ceiling first, then every case. */
export function throughputTable(ceiling: CeilingResult | null, results: CaseResult[]): string {
  const ceilingRate = ceiling ? rowsPerSecond(ceiling) : null;
  const sourceBytesPerRow = ceiling ? ceiling.csvBytes / ceiling.rows : null;
  const header = [
    'case',
    'rows',
    'files',
    'seconds',
    'rows/s',
    'source MB/s',
    'output MB/s',
    'output MB',
    'peak RSS MB',
    'children MB',
    'idle RSS MB',
    '% of ceiling rows/s',
    'other CPU',
  ];
  const rows: string[][] = [];
  if (ceiling) {
    rows.push([
      'ceiling: psql \\copy | gzip -1',
      int(ceiling.rows),
      '1',
      ceiling.seconds.toFixed(2),
      int(rowsPerSecond(ceiling)),
      (ceiling.csvBytes / MB / ceiling.seconds).toFixed(1),
      (ceiling.gzipBytes / MB / ceiling.seconds).toFixed(1),
      mb(ceiling.gzipBytes),
      mb(ceiling.highestRss.peakBytes),
      mb(ceiling.highestRss.peakChildrenBytes),
      '—',
      '100%',
      otherCpu(ceiling.rss, ceiling.seconds),
    ]);
  }
  for (const result of results) {
    if (!result.isOk) {
      rows.push([
        result.label,
        int(result.rows),
        String(result.files),
        'FAILED',
        '—',
        '—',
        '—',
        '—',
        mb(result.highestWorkerRss.peakBytes),
        mb(result.highestWorkerRss.peakChildrenBytes),
        mb(result.workerRss.startBytes),
        '—',
        '—',
      ]);
      continue;
    }
    const rate = rowsPerSecond(result);
    rows.push([
      result.label,
      int(result.rows),
      String(result.files),
      result.seconds.toFixed(2),
      int(rate),
      sourceBytesPerRow === null ? '—' : ((sourceBytesPerRow * result.rows) / MB / result.seconds).toFixed(1),
      (result.outputBytes / MB / result.seconds).toFixed(1),
      mb(result.outputBytes),
      mb(result.highestWorkerRss.peakBytes),
      mb(result.highestWorkerRss.peakChildrenBytes),
      mb(result.workerRss.startBytes),
      ceilingRate ? `${((rate / ceilingRate) * 100).toFixed(0)}%` : '—',
      otherCpu(result.workerRss, result.seconds),
    ]);
  }
  return table(header, rows);
}

/** The issues' targets, checked against the cases that ran. */
export function checkTargets(ceiling: CeilingResult | null, results: CaseResult[]): TargetCheck[] {
  const find = (id: string) => results.find((result) => result.id === id);
  const checks: TargetCheck[] = [];
  const csv = find('csv-gzip');
  const share = TARGETS.csvGzipShareOfCeiling;
  if (!csv || !ceiling) checks.push({ target: `csv+gzip >= ${share * 100}% of the ceiling rows/s`, measured: 'not run', verdict: 'n/a' });
  else {
    const ratio = csv.isOk ? rowsPerSecond(csv) / rowsPerSecond(ceiling) : 0;
    checks.push({
      target: `csv+gzip >= ${share * 100}% of the ceiling rows/s`,
      measured: csv.isOk ? `${(ratio * 100).toFixed(0)}% (${int(rowsPerSecond(csv))} of ${int(rowsPerSecond(ceiling))} rows/s)` : 'failed',
      verdict: ratio >= share ? 'PASS' : 'FAIL',
    });
  }
  for (const [id, name, minimum] of [
    ['parquet', 'parquet', TARGETS.parquetRowsPerSecond],
    ['excel', 'excel', TARGETS.excelRowsPerSecond],
  ] as const) {
    const result = find(id);
    const target = `${name} >= ${int(minimum)} rows/s`;
    if (!result) checks.push({ target, measured: 'not run', verdict: 'n/a' });
    else
      checks.push({
        target,
        measured: result.isOk ? `${int(rowsPerSecond(result))} rows/s` : 'failed',
        verdict: result.isOk && rowsPerSecond(result) >= minimum ? 'PASS' : 'FAIL',
      });
  }
  checks.push(...rssChecks(results));
  return checks;
}

/** Worker RSS below the limit, one line per case that ran. */
export function rssChecks(results: CaseResult[]): TargetCheck[] {
  const limit = TARGETS.workerRssBytes;
  return results.map((result) => ({
    target: `worker RSS < ${mb(limit, 0)} MB: ${result.label}${result.seededRows ? ` @ ${int(result.seededRows)} rows` : ''}`,
    measured: `${mb(result.highestWorkerRss.peakBytes)} MB${result.isOk ? '' : ' (export failed)'}`,
    verdict: result.isOk && result.highestWorkerRss.peakBytes < limit ? 'PASS' : 'FAIL',
  }));
}

/** Renders target checks as a table. */
export function targetTable(checks: TargetCheck[]): string {
  return table(
    ['target', 'measured', 'verdict'],
    checks.map((check) => [check.target, check.measured, check.verdict]),
  );
}

/** The per-run table of --flat. */
export function flatRunsTable(results: CaseResult[]): string {
  const header = ['case', 'seeded rows', 'exported rows', 'seconds', 'rows/s', 'output MB', 'peak RSS MB', 'children MB', 'idle RSS MB', 'other CPU'];
  return table(
    header,
    results.map((result) => [
      result.label,
      int(result.seededRows),
      int(result.rows),
      result.isOk ? result.seconds.toFixed(2) : 'FAILED',
      result.isOk ? int(rowsPerSecond(result)) : '—',
      result.isOk ? mb(result.outputBytes) : '—',
      mb(result.highestWorkerRss.peakBytes),
      mb(result.highestWorkerRss.peakChildrenBytes),
      mb(result.workerRss.startBytes),
      otherCpu(result.workerRss, result.seconds),
    ]),
  );
}

/** Peak RSS at the smallest and largest row count of each case of --flat, and whether it stayed flat. */
export function flatnessChecks(results: CaseResult[], small: number, large: number): TargetCheck[] {
  const ids = [...new Set(results.map((result) => result.id))];
  return ids.map((id) => {
    const at = (rows: number) => results.find((result) => result.id === id && result.seededRows === rows);
    const [low, high] = [at(small), at(large)];
    const label = low?.label ?? high?.label ?? id;
    const target = `${label}: peak RSS @ ${int(large)} rows <= ${TARGETS.flatRatio}× @ ${int(small)} rows`;
    if (!low || !high || !low.isOk || !high.isOk) return { target, measured: 'a run failed or is missing', verdict: 'FAIL' as const };
    const ratio = high.highestWorkerRss.peakBytes / low.highestWorkerRss.peakBytes;
    return {
      target,
      measured: `${mb(low.highestWorkerRss.peakBytes)} MB -> ${mb(high.highestWorkerRss.peakBytes)} MB (${ratio.toFixed(2)}×)`,
      verdict: ratio <= TARGETS.flatRatio ? ('PASS' as const) : ('FAIL' as const),
    };
  });
}

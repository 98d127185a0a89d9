import { parseArgs } from 'node:util';
import { CASES, type BenchCase } from './cases';

/** What one invocation of the benchmark runs. */
export interface BenchOptions {
  /** Rows seeded into the workspace of a normal run. */
  rows: number;
  /** Flatness mode: csv+gzip, excel and parquet at 1M and 5M rows. */
  isFlat: boolean;
  /** Cases to run, in order. */
  cases: BenchCase[];
  /** Drop the benchmark's databases first and seed again. */
  isFresh: boolean;
  /** Upper bound of one export, in seconds (0: derived from the row count). */
  timeoutSeconds: number;
  /** Most runs of one measurement when other work on the machine disturbs it. */
  maxAttempts: number;
  /** Runs of every measurement; the median is reported. */
  repeat: number;
}

/** Row counts of the flatness mode (one workspace each). */
export const FLAT_ROWS = [1_000_000, 5_000_000] as const;

/** Cases of the flatness mode. */
export const FLAT_CASE_IDS = ['csv-gzip', 'excel', 'parquet'] as const;

/** Usage text printed by `--help` and on a bad flag. */
export const USAGE = `Usage: node bench/dist/export-throughput.js [options]

  --rows N          user_activity rows of the workspace (default 2000000)
  --cases a,b       subset of: ${CASES.map((c) => c.id).join(', ')}
  --flat            csv-gzip, excel and parquet at 1M and 5M rows: does the worker's RSS stay flat?
  --keep            keep the benchmark databases between runs (the default)
  --fresh           drop the benchmark databases first and seed again
  --timeout S       give up on one export after S seconds (default 120 + 1 s per 2,000 rows)
  --repeat N        run every measurement N times and report the median time and the highest RSS
                    (default 3; 1 for a quick look)
  --attempts N      measure again, up to N runs in all, when other processes used > 15% of a core
                    meanwhile; the least disturbed run is kept (default 3)`;

function pickCases(list: string | undefined, fallback: readonly string[]): BenchCase[] {
  const ids =
    list === undefined
      ? fallback
      : list
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id.length > 0);
  return ids.map((id) => {
    const found = CASES.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`unknown case "${id}"; cases: ${CASES.map((c) => c.id).join(', ')}`);
    return found;
  });
}

function wholeNumber(text: string | undefined, flag: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`${flag} must be a whole number >= ${min}`);
  return value;
}

/** Parses the command line; returns null when only the usage was asked for. */
export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      rows: { type: 'string' },
      cases: { type: 'string' },
      flat: { type: 'boolean' },
      keep: { type: 'boolean' },
      fresh: { type: 'boolean' },
      timeout: { type: 'string' },
      attempts: { type: 'string' },
      repeat: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  if (values.keep && values.fresh) throw new Error('--keep and --fresh exclude each other');
  const isFlat = values.flat ?? false;
  if (isFlat && values.rows !== undefined) throw new Error('--flat uses 1M and 5M rows; leave out --rows');
  return {
    rows: wholeNumber(values.rows, '--rows', 2_000_000, 1),
    isFlat,
    cases: pickCases(values.cases, isFlat ? FLAT_CASE_IDS : CASES.map((c) => c.id)),
    isFresh: values.fresh ?? false,
    timeoutSeconds: wholeNumber(values.timeout, '--timeout', 0, 0),
    maxAttempts: wholeNumber(values.attempts, '--attempts', 3, 1),
    repeat: wholeNumber(values.repeat, '--repeat', 3, 1),
  };
}

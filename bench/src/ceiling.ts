import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildRowsQuery, CATALOG } from '@export-service/analytics';
import { BENCH, databaseUrl } from './bench-env';
import { waitForQuiet, type QuietCheck } from './machine-load';
import { ManagedProcess } from './managed-process';
import { RssSampler, type RssPeak } from './process-tree';
import type { RunSummary } from './repeat';

/** The shell baseline: what `psql \copy ... | gzip -1` achieves on the same rows. */
export interface CeilingResult {
  rows: number;
  seconds: number;
  /** Bytes of the plain CSV (the gzip output decompressed): the "source bytes" of every case. */
  csvBytes: number;
  gzipBytes: number;
  /** psql + gzip, summed. */
  rss: RssPeak;
  /** The same for the run (of all repeats) whose peak was highest. */
  highestRss: RssPeak;
  /** How busy the machine was just before. */
  quiet: QuietCheck;
  sql: string;
  /** Runs set aside because other processes used the CPU meanwhile. */
  discardedAttempts: Array<{ seconds: number; otherCpuSeconds: number }>;
  /** Every kept run when repeated: this result is the median one, with the highest RSS. */
  runs: RunSummary[];
}

/**
 * The SELECT the service runs for a csv export of every user_activity column, built by the service's own
 * query builder (so projection, timestamp formatting, filters and order are the same), with the
 * workspace written in as a literal because psql's \copy takes no parameters.
 */
export function ceilingSelect(workspace: string): string {
  const def = CATALOG.user_activity;
  const query = buildRowsQuery({ def, workspaceId: workspace, spec: { type: 'user_activity', fields: def.columns.map((c) => c.name), filters: {}, aggregation: null } }, 'csv');
  if (query.values.length !== 1 || !query.text.includes('$1::text')) throw new Error(`unexpected service query: ${query.text}`);
  const text = query.text.replace('$1::text', `'${workspace.replace(/'/g, "''")}'::text`);
  if (/\$\d/.test(text) || text.includes('\n')) throw new Error(`cannot turn the service query into a \\copy line: ${text}`);
  return text;
}

/** Streams a file through `gzip -dc` and counts the bytes and lines it expands to. */
async function gunzippedSize(file: string): Promise<{ bytes: number; lines: number }> {
  const child = spawn('gzip', ['-dc', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
  }
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`gzip -dc ${file} exited with ${code}`);
  return { bytes, lines };
}

/** Runs `psql -c "\copy (<service SELECT>) TO STDOUT WITH (FORMAT csv)" | gzip -1 > file`, timed and sampled. */
export async function runCeiling(workspace: string, dir: string, expectedRows: number, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<CeilingResult> {
  const sql = ceilingSelect(workspace);
  const quiet = await waitForQuiet(log);
  const output = join(dir, `${workspace}.csv.gz`);
  const script = 'set -o pipefail; psql "$BENCH_URL" -X -q -v ON_ERROR_STOP=1 -c "$BENCH_COPY" | gzip -1 > "$BENCH_OUT"';
  const started = process.hrtime.bigint();
  const shell = new ManagedProcess({
    name: 'ceiling',
    command: 'bash',
    args: ['-c', script],
    isSignalledAsTree: true,
    env: {
      ...env,
      BENCH_URL: databaseUrl(BENCH.dataDatabase),
      BENCH_COPY: `\\copy (${sql}) TO STDOUT WITH (FORMAT csv)`,
      BENCH_OUT: output,
      // The settings the worker's snapshot uses; none changes this output, they keep it identical anyway.
      PGOPTIONS: '-c TimeZone=UTC -c DateStyle=ISO,YMD -c extra_float_digits=1',
    },
  });
  const sampler = new RssSampler(shell.pid, false);
  const { code } = await shell.exited;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = sampler.stop();
  await shell.stop();
  if (code !== 0) throw new Error(`the ceiling pipeline exited with ${code}:\n${shell.lastLines(50).join('\n')}`);
  const { bytes, lines } = await gunzippedSize(output);
  if (lines !== expectedRows) throw new Error(`the ceiling wrote ${lines} rows, expected ${expectedRows}`);
  return { rows: lines, seconds, csvBytes: bytes, gzipBytes: statSync(output).size, rss, highestRss: rss, quiet, sql, discardedAttempts: [], runs: [] };
}

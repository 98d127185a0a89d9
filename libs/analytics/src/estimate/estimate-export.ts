import type pg from 'pg';
import { BYTES_PER_MB, SELF_COMPRESSED_FORMATS, type Compression, type ExportFormat, type ExportSpec } from '@export-service/contracts';
import { CATALOG } from '../catalog/catalog';
import { buildPartitionCountQuery } from '../query/source-query';

/** What an export will roughly produce, answered at creation time. */
export interface ExportEstimate {
  rows: number;
  sizeMb: number;
  timeSeconds: number;
  /** False when a count took too long and the planner's estimate was used. */
  isExactCount: boolean;
}

/** Bytes of a row in each format, relative to CSV (measured on seeded data). */
const FORMAT_SIZE_FACTOR: Record<ExportFormat, number> = { csv: 1, json: 2.1, jsonl: 2.1, excel: 0.32, parquet: 0.22 };
/** Bytes after compression, relative to before. */
const COMPRESSION_FACTOR: Record<Compression, number> = { none: 1, gzip: 0.24, zip: 0.24, bz2: 0.17 };
/** Rows per second through the whole pipeline on one worker (bench/). */
const FORMAT_ROWS_PER_SECOND: Record<ExportFormat, number> = { csv: 400_000, json: 300_000, jsonl: 300_000, excel: 200_000, parquet: 250_000 };
const COMPRESSION_SPEED_FACTOR: Record<Compression, number> = { none: 1, gzip: 1, zip: 1, bz2: 0.5 };

/** Above this many rows (by the planner's estimate) the planner's figure is used instead of a count. */
const EXACT_COUNT_UP_TO_ROWS = 1_000_000;

/**
 * Estimates the rows an export will read: the planner's estimate for large sources (counting 2 M
 * rows takes ~0.4 s here, and longer on bigger tables), an exact count within one `budgetMs` (for all sources) for the
 * rest; then size and duration from measured per-format figures.
 */
export async function estimateExport(pool: pg.Pool, spec: ExportSpec, workspaceId: string, budgetMs = 2_000): Promise<ExportEstimate> {
  let rows = 0;
  let bytes = 0;
  let isExactCount = true;
  // One budget for the whole estimate, however many sources: a create holds a pooled connection for
  // about `budgetMs` at most, so many-source creates cannot starve the pool.
  const deadline = Date.now() + budgetMs;
  const client = await pool.connect();
  try {
    for (const source of spec.sources) {
      const def = CATALOG[source.type];
      const query = buildPartitionCountQuery({ def, spec: source, workspaceId }, 'none');
      const counted = await countWithin(client, query, deadline - Date.now());
      isExactCount &&= counted.isExact;
      rows += counted.rows;
      bytes += counted.rows * (source.aggregation ? 160 : def.averageRowBytes);
    }
  } finally {
    client.release();
  }
  const isInnerCompressed = SELF_COMPRESSED_FORMATS.includes(spec.format);
  const size = bytes * FORMAT_SIZE_FACTOR[spec.format] * (isInnerCompressed ? 1 : COMPRESSION_FACTOR[spec.compression]);
  const speed = FORMAT_ROWS_PER_SECOND[spec.format] * COMPRESSION_SPEED_FACTOR[spec.compression];
  return {
    rows,
    sizeMb: Math.round((size / BYTES_PER_MB) * 100) / 100,
    timeSeconds: Math.ceil(1 + rows / speed),
    isExactCount,
  };
}

async function countWithin(client: pg.PoolClient, query: { text: string; values: unknown[] }, timeoutMs: number): Promise<{ rows: number; isExact: boolean }> {
  const planned = await plannedRows(client, query);
  if (planned > EXACT_COUNT_UP_TO_ROWS || timeoutMs < 50) return { rows: planned, isExact: false };
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
    const result = await client.query<{ rows: string }>(query);
    await client.query('COMMIT');
    return { rows: Number(result.rows[0]?.rows ?? 0), isExact: true };
  } catch (error) {
    await client.query('ROLLBACK');
    if ((error as { code?: string }).code !== '57014') throw error;
  }
  return { rows: planned, isExact: false };
}

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

/** The planner's row estimate of the relation under the count's aggregate (a serial plan, so it is a total). */
async function plannedRows(client: pg.PoolClient, query: { text: string; values: unknown[] }): Promise<number> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
    const plan = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>({ text: `EXPLAIN (FORMAT JSON) ${query.text}`, values: query.values });
    let node: PlanNode | undefined = plan.rows[0]?.['QUERY PLAN'][0]?.Plan;
    while (node && node['Node Type'] === 'Aggregate' && node.Plans?.[0]) node = node.Plans[0];
    return Math.round(node?.['Plan Rows'] ?? 0);
  } finally {
    await client.query('COMMIT');
  }
}

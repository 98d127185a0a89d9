import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { ColumnSchema } from '@export-service/contracts';

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A column as text PostgreSQL reads back exactly: instants as ISO-8601 UTC with microseconds, everything else DuckDB's own text. */
function textOf(column: ColumnSchema): string {
  const ref = quoted(column.name);
  if (column.type === 'timestamp') return `strftime(make_timestamp(epoch_us(${ref})), '%Y-%m-%dT%H:%M:%S.%fZ')`;
  if (column.type === 'date') return `strftime(${ref}, '%Y-%m-%d')`;
  return `${ref}::VARCHAR`;
}

/** What reading a Parquet file yields: its schema (names and DuckDB types), row count, and the rows as CSV. */
export interface ParquetRows {
  header: string[];
  types: string[];
  rows: number;
  csv: AsyncIterable<Buffer>;
}

/**
 * Reads a Parquet file with DuckDB (its footer, then every page), writes the recorded columns as CSV
 * PostgreSQL's COPY reads exactly (NULL unquoted, every value quoted), and streams that CSV.
 */
export async function readParquetRows(path: string, columns: ColumnSchema[], scratchDir: string): Promise<ParquetRows> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '128MB', temp_directory: join(scratchDir, 'duckdb-spill') });
  const connection = await instance.connect();
  const csvPath = join(scratchDir, 'parquet-rows.csv');
  try {
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRowObjectsJson();
    const header = described.map((row) => String(row.column_name));
    const types = described.map((row) => String(row.column_type));
    const missing = columns.find((column) => !header.includes(column.name));
    if (missing) return { header, types, rows: 0, csv: failing(`its schema has no column ${JSON.stringify(missing.name)}`) };
    const select = columns.map(textOf).join(', ');
    await connection.run(`COPY (SELECT ${select} FROM read_parquet(${sqlString(path)})) TO ${sqlString(csvPath)} (FORMAT csv, HEADER false, FORCE_QUOTE *, NULLSTR '')`);
    const [counted] = (await connection.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(path)})`)).getRowObjectsJson();
    return { header, types, rows: Number(counted?.n ?? 0), csv: createReadStream(csvPath, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer> };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function* failing(problem: string): AsyncIterable<Buffer> {
  yield* [];
  throw new Error(problem);
}

import { resolve } from 'node:path';
import { runToolOk } from './tools';

/** A JSON-safe value as the readers below hand it back. */
export type ReadValue = string | number | boolean | null | ReadValue[] | { [key: string]: ReadValue };

/** A column as DuckDB's DESCRIBE reports it, and as `parquet_schema()` reports its physical/logical types. */
export interface DuckDbParquetColumn {
  name: string;
  /** DuckDB's SQL type, e.g. `BIGINT`, `DECIMAL(14,4)`, `TIMESTAMP WITH TIME ZONE`. */
  type: string;
  /** Parquet physical type (`INT64`, `BYTE_ARRAY`, ...). */
  physicalType: string | null;
  convertedType: string | null;
  logicalType: string | null;
  precision: number | null;
  scale: number | null;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Runs SQL statements in one fresh in-memory DuckDB; `{path}` in the SQL is replaced by the quoted file path. */
async function queryAllWithDuckDb(path: string, statements: string[]): Promise<Array<Array<Record<string, ReadValue>>>> {
  // Loaded on first use: its native binding holds a handle that would keep every test process alive.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    const results: Array<Array<Record<string, ReadValue>>> = [];
    for (const sql of statements) {
      const reader = await connection.runAndReadAll(sql.replace(/\{path\}/g, sqlString(path)));
      results.push(reader.getRowObjectsJson() as Array<Record<string, ReadValue>>);
    }
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Runs SQL in a fresh in-memory DuckDB; `{path}` in the SQL is replaced by the quoted file path. */
export async function queryWithDuckDb(path: string, sql: string): Promise<Array<Record<string, ReadValue>>> {
  const [rows] = await queryAllWithDuckDb(path, [sql]);
  return rows ?? [];
}

/** The columns of a Parquet file as DuckDB reads them, with the file's own physical and logical types. */
export async function describeParquetWithDuckDb(path: string): Promise<DuckDbParquetColumn[]> {
  const [described = [], schema = []] = await queryAllWithDuckDb(path, [
    'DESCRIBE SELECT * FROM read_parquet({path})',
    'SELECT name, type, converted_type, logical_type, precision, scale FROM parquet_schema({path})',
  ]);
  return described.map((column) => {
    const element = schema.find((candidate) => candidate.name === column.column_name);
    const text = (value: ReadValue | undefined) => (value === null || value === undefined ? null : String(value));
    const number = (value: ReadValue | undefined) => (value === null || value === undefined ? null : Number(value));
    return {
      name: String(column.column_name),
      type: String(column.column_type),
      physicalType: text(element?.type),
      convertedType: text(element?.converted_type),
      logicalType: text(element?.logical_type),
      precision: number(element?.precision),
      scale: number(element?.scale),
    };
  });
}

/** A Parquet column as hyparquet's metadata reader sees it. */
export interface HyparquetColumn {
  name: string;
  type: string | null;
  convertedType: string | null;
  logicalType: ReadValue;
  precision: number | null;
  scale: number | null;
  repetition: string | null;
}

/** What hyparquet read: schema, row count from the footer, and rows as tagged values. */
export interface HyparquetRead {
  numRows: number;
  columns: HyparquetColumn[];
  /**
   * Rows as objects. Values are tagged so their JavaScript type survives JSON: `{ bigint: "…" }` for
   * BigInt (INT64), `{ micros: "…" }` for timestamps (hyparquet's raw microseconds, not a lossy Date).
   */
  rows: Array<Record<string, ReadValue>>;
}

const REPO_ROOT = resolve(__dirname, '../../..');

const HYPARQUET_SCRIPT = `
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
const file = await asyncBufferFromFile(process.argv[1]);
const metadata = await parquetMetadataAsync(file);
const rows = await parquetReadObjects({
  file,
  metadata,
  parsers: { timestampFromMicroseconds: (micros) => ({ micros: micros.toString() }) },
});
const columns = metadata.schema.slice(1).map((element) => ({
  name: element.name,
  type: element.type ?? null,
  convertedType: element.converted_type ?? null,
  logicalType: element.logical_type ?? null,
  precision: element.precision ?? null,
  scale: element.scale ?? null,
  repetition: element.repetition_type ?? null,
}));
const tag = (_key, value) => (typeof value === 'bigint' ? { bigint: value.toString() } : value);
process.stdout.write(JSON.stringify({ numRows: Number(metadata.num_rows), columns, rows }, tag));
`;

/**
 * Reads a Parquet file with hyparquet, a second reader independent of DuckDB. hyparquet is ESM-only
 * and jest runs CommonJS without VM modules, so it runs in a child `node --input-type=module`.
 */
export async function readParquetWithHyparquet(path: string): Promise<HyparquetRead> {
  const output = await runToolOk(process.execPath, ['--input-type=module', '-e', HYPARQUET_SCRIPT, path], { cwd: REPO_ROOT });
  return JSON.parse(output.toString('utf8')) as HyparquetRead;
}

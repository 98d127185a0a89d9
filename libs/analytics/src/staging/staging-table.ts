import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ColumnSchema } from '@export-service/contracts';
import { ident } from '../query/sql';

/** The PostgreSQL type that holds a recorded column exactly (the analytics tables' own types). */
export function pgType(column: ColumnSchema): string {
  switch (column.type) {
    case 'uuid':
      return 'uuid';
    case 'text':
      return 'text';
    case 'integer':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'numeric':
      return column.precision !== undefined ? `numeric(${column.precision}, ${column.scale ?? 0})` : 'numeric';
    case 'double':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'timestamptz';
    case 'date':
      return 'date';
    case 'json':
      return 'jsonb';
  }
}

/** Rows of one file in a loadable form: CSV records without a header, or one JSON object per line. */
export interface LoadableRows {
  kind: 'csv' | 'json';
  chunks: AsyncIterable<Buffer>;
}

/** Settings that make values read and print as the analytics exports print them. */
export const STAGING_SETTINGS = `SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1`;

/**
 * A temporary table of a session holding one data source's rows with their recorded types, in file
 * order (`__ord`), each with the start of the period its file was cut for (`__period_start`).
 * Loading goes through COPY FROM, so PostgreSQL parses every value with the type's own input
 * function: a value that does not fit its type fails the load, naming line and column.
 */
export class StagingTable {
  constructor(
    private readonly client: pg.Client,
    readonly name: string,
    readonly columns: ColumnSchema[],
  ) {}

  async create(): Promise<void> {
    const columns = this.columns.map((column) => `${ident(column.name)} ${pgType(column)}`).join(', ');
    await this.client.query(
      `CREATE TEMP SEQUENCE ${ident(`${this.name}_ord`)}; ` +
        `CREATE TEMP TABLE ${ident(this.name)} (__ord bigint NOT NULL DEFAULT nextval('${this.name}_ord'), ` +
        `__period_start timestamp DEFAULT NULLIF(current_setting('export_service.period_start', true), '')::timestamp${columns ? `, ${columns}` : ''})`,
    );
  }

  /** Appends a file's rows; returns how many. `periodStart` is the UTC wall-clock start of the file's period, if any. */
  async load(rows: LoadableRows, periodStart: string | null): Promise<number> {
    await this.client.query(`SELECT set_config('export_service.period_start', $1, false)`, [periodStart ?? '']);
    const names = this.columns.map((column) => ident(column.name)).join(', ');
    if (rows.kind === 'csv') return this.copyIn(`COPY ${ident(this.name)} (${names}) FROM STDIN WITH (FORMAT csv)`, rows.chunks);
    const docs = ident(`${this.name}_docs`);
    await this.client.query(`CREATE TEMP TABLE IF NOT EXISTS ${docs} (__ord bigint NOT NULL DEFAULT nextval('${this.name}_ord'), doc json); TRUNCATE ${docs}`);
    // Quote and delimiter bytes JSON text never holds raw: each line is one document, taken as it is.
    await this.copyIn(`COPY ${docs} (doc) FROM STDIN WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`, rows.chunks);
    const expected = this.columns.map((column) => column.name);
    const { rows: odd } = await this.client.query<{ line: string; keys: string[] }>(
      `SELECT d.__ord - min(d.__ord) OVER () + 1 AS line, ARRAY(SELECT json_object_keys(d.doc)) AS keys FROM ${docs} d ORDER BY (ARRAY(SELECT json_object_keys(d.doc)) = $1::text[]), d.__ord LIMIT 1`,
      [expected],
    );
    const first = odd[0];
    if (first && JSON.stringify(first.keys) !== JSON.stringify(expected))
      throw new Error(`object ${first.line} has the keys ${JSON.stringify(first.keys)}, not ${JSON.stringify(expected)}`);
    const definitions = this.columns.map((column) => `${ident(column.name)} ${pgType(column)}`).join(', ');
    const result = await this.client.query(
      `INSERT INTO ${ident(this.name)} (__ord, __period_start${names ? `, ${names}` : ''}) ` +
        `SELECT d.__ord, NULLIF(current_setting('export_service.period_start', true), '')::timestamp${names ? `, ${this.columns.map((column) => `x.${ident(column.name)}`).join(', ')}` : ''} ` +
        `FROM ${docs} d${definitions ? `, json_to_record(d.doc) AS x(${definitions})` : ''} ORDER BY d.__ord`,
    );
    await this.client.query(`TRUNCATE ${docs}`);
    return result.rowCount ?? 0;
  }

  private async copyIn(sql: string, chunks: AsyncIterable<Buffer>): Promise<number> {
    const stream = this.client.query(copyFrom(sql));
    await pipeline(Readable.from(chunks, { objectMode: false }), stream);
    return Number(stream.rowCount ?? 0);
  }
}

import pg from 'pg';
import type { ColumnSchema, ExportFormat, SourceProfile, SourceSpec } from '@export-service/contracts';
import { failWith, FailureCode } from '@export-service/errors';
import { valueProblems, type Partition, type RowChunk, type RowDialect, type RowSource, type SourceReader, type SourceSnapshot } from '@export-service/export-core';
import { restoreRowText, toCopyStatement } from '../query/copy-statement';
import { profileAggregates, profileAliases, readProfile, type ProfileOptions } from '../query/source-profile';
import { renderRowsSelect } from '../query/source-query';
import { ident, Params } from '../query/sql';
import { CopyOutRows } from '../reader/copy-out-rows';
import { STAGING_SETTINGS, StagingTable, type LoadableRows } from './staging-table';

/** One file of a source export, opened on demand. */
export interface LoadableFile {
  filename: string;
  /** UTC wall-clock start of the period the file was cut for (`2024-01-01T00:00:00`), or null. */
  periodStart: string | null;
  open(): Promise<{ rows: LoadableRows; close(): Promise<void> }>;
}

/** One data source of a conversion: its recorded schema and lineage, and the files holding its rows. */
export interface StagedSourcePlan {
  spec: SourceSpec;
  columns: ColumnSchema[];
  filtersApplied: string[];
  /** Column whose value places a row in a month or week; null to keep the periods of the source's files. */
  periodColumn: string | null;
  /** Column whose first and last value make the profile's date range (the source's time column), if exported. */
  timeColumn: string | null;
  files: LoadableFile[];
}

/** What the conversion writes, so values the target cannot hold fail it before any file is written. */
export interface StagedRowSourceOptions {
  targetFormat: ExportFormat;
  signal: AbortSignal;
}

const PROFILE: ProfileOptions = { isJsonMeasured: true };

/**
 * Rows of a completed export's files instead of the analytics tables: every file is decoded and
 * loaded into a temporary table of the service's own PostgreSQL with the recorded column types
 * (COPY FROM, streamed), and the same row rendering as a direct export prints them in any dialect,
 * so a converted value prints exactly as the original export printed it.
 */
export class StagedRowSource implements RowSource {
  constructor(
    private readonly connectionString: string,
    private readonly plans: StagedSourcePlan[],
    private readonly options: StagedRowSourceOptions,
  ) {}

  async openSnapshot(): Promise<SourceSnapshot> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'export-conversion' });
    client.on('error', () => undefined);
    await client.connect();
    const drop = () => (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    this.options.signal.addEventListener('abort', drop, { once: true });
    try {
      await client.query(STAGING_SETTINGS);
      await client.query('BEGIN');
      const readers = new Map<SourceSpec, StagedSourceReader>();
      for (const [index, plan] of this.plans.entries()) {
        const table = new StagingTable(client, `staged_${index}`, plan.columns);
        await table.create();
        for (const file of plan.files) {
          this.options.signal.throwIfAborted();
          const opened = await file.open();
          try {
            await table.load(opened.rows, file.periodStart);
          } catch (error) {
            if (this.options.signal.aborted) throw error;
            throw failWith(FailureCode.sourceUnreadable, `${file.filename}: ${loadProblem(error)}`, error);
          } finally {
            await opened.close();
          }
        }
        readers.set(plan.spec, new StagedSourceReader(client, table, plan, this.options.targetFormat));
      }
      return new StagedSnapshot(client, readers, () => this.options.signal.removeEventListener('abort', drop));
    } catch (error) {
      this.options.signal.removeEventListener('abort', drop);
      await client.end().catch(() => undefined);
      throw error;
    }
  }
}

/** A load error in a sentence: PostgreSQL's message with the line and column COPY names. */
export function loadProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const where = (error as { where?: string }).where;
  const line = where ? /line (\d+)(?:, column (\w+))?/.exec(where) : null;
  return line ? `row ${line[1]}${line[2] ? `, column ${line[2]}` : ''}: ${message}` : message;
}

class StagedSnapshot implements SourceSnapshot {
  constructor(
    private readonly client: pg.Client,
    private readonly readers: Map<SourceSpec, StagedSourceReader>,
    private readonly release: () => void,
  ) {}

  reader(source: SourceSpec): SourceReader {
    const reader = this.readers.get(source);
    if (!reader) throw new Error(`no staged rows for ${source.type}`);
    return reader;
  }

  async close(): Promise<void> {
    this.release();
    await this.client.query('ROLLBACK').catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

class StagedSourceReader implements SourceReader {
  readonly columns: ColumnSchema[];
  private measured: SourceProfile | null = null;
  private by: Partition['by'] = 'none';

  constructor(
    private readonly client: pg.Client,
    private readonly table: StagingTable,
    private readonly plan: StagedSourcePlan,
    private readonly targetFormat: ExportFormat,
  ) {
    this.columns = plan.columns;
  }

  private timeOf(name: string | null): string {
    const column = name === null ? undefined : this.columns.find((candidate) => candidate.name === name);
    if (!column) return 'src.__period_start';
    return column.type === 'date' ? `src.${ident(column.name)}::timestamp` : `src.${ident(column.name)} AT TIME ZONE 'UTC'`;
  }

  async partitions(by: Partition['by']): Promise<Partition[]> {
    this.by = by;
    const values = this.columns.map((column, index) => `src.${ident(column.name)} AS ${ident(`c${index}`)}`);
    const relation = `SELECT ${this.timeOf(this.plan.periodColumn)} AS part_time, ${this.timeOf(this.plan.timeColumn)} AS row_time${values.length ? `, ${values.join(', ')}` : ''} FROM ${ident(this.table.name)} AS src`;
    const facts = profileAggregates(this.columns, PROFILE).join(', ');
    const text =
      by === 'none'
        ? `SELECT NULL::text AS start, NULL::text AS label, count(*)::bigint AS rows, ${facts} FROM (${relation}) AS r`
        : `SELECT to_char(p.period, 'YYYY-MM-DD"T"HH24:MI:SS') AS start, to_char(p.period, '${by === 'month' ? 'YYYY_MM' : 'IYYY_"W"IW'}') AS label, p.rows, ` +
          `${profileAliases(this.columns, PROFILE)
            .map((name) => `p.${name}`)
            .join(', ')} FROM (SELECT date_trunc('${by}', r.part_time) AS period, count(*)::bigint AS rows, ${facts} FROM (${relation}) AS r GROUP BY 1) AS p ORDER BY p.period`;
    const { rows } = await this.client.query<{ start: string | null; label: string | null; rows: string }>(text);
    this.measured = readProfile(rows, this.columns, this.plan.timeColumn ?? this.plan.periodColumn ?? 'period', PROFILE);
    const problems = valueProblems(this.targetFormat, this.columns, this.measured);
    if (problems.length > 0) {
      throw failWith(
        FailureCode.valueNotRepresentable,
        `${this.targetFormat} cannot hold every value of ${this.plan.spec.type}: ${problems.map((found) => `${found.column} ${found.problem}`).join('; ')}`,
      );
    }
    const partitions = rows.filter((row) => Number(row.rows) > 0).map((row) => ({ by, start: row.start, label: row.label, rows: Number(row.rows) }));
    return partitions.length > 0 ? partitions : [{ by, start: null, label: null, rows: 0 }];
  }

  async *read(partition: Partition, dialect: RowDialect, signal: AbortSignal): AsyncIterable<RowChunk> {
    const params = new Params();
    const where =
      this.by === 'none' || partition.start === null ? '' : ` WHERE date_trunc('${this.by}', ${this.timeOf(this.plan.periodColumn)}) = ${params.add(partition.start, 'timestamp')}`;
    const columns = this.columns.map((column) => ({ name: column.name, type: column.type, ref: `src.${ident(column.name)}` }));
    const select = renderRowsSelect(dialect, columns, `${ident(this.table.name)} AS src${where} ORDER BY src.__ord`, this.plan.spec.formulaGuard === true);
    const { setup, copy } = toCopyStatement({ text: select, values: params.values }, dialect);
    if (setup) await this.client.query(setup.text, setup.values);
    signal.throwIfAborted();
    for await (const chunk of this.client.query(new CopyOutRows(copy)) as AsyncIterable<RowChunk>) yield restoreRowText(chunk, dialect);
  }

  describeFilters(): string[] {
    return this.plan.filtersApplied;
  }

  profile(): SourceProfile | null {
    return this.measured;
  }
}

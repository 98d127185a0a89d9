import pg from 'pg';
import type { SourceProfile, SourceSpec } from '@export-service/contracts';
import type { Partition, RowChunk, RowDialect, RowSource, SourceReader, SourceSnapshot } from '@export-service/export-core';
import { CATALOG, selectColumns, toColumnSchema } from '../catalog/catalog';
import { restoreRowText, toCopyStatement } from '../query/copy-statement';
import { buildPartitionCountQuery, buildRowsQuery, type SourceSelection } from '../query/source-query';
import { describeFilters } from '../query/describe-filters';
import { readProfile, type ProfileOptions } from '../query/source-profile';
import { CopyOutRows } from './copy-out-rows';
import { asDatabaseFailure } from './database-failure';

/** Exports skip json text lengths: a jsonb-to-text conversion per row costs +0.55 s per 2 M rows (docs/decisions.md). */
const PROFILE: ProfileOptions = { isJsonMeasured: false };

/** Session settings that make every value print the same way, whatever the server's defaults. */
const SNAPSHOT_SETTINGS = `SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL extra_float_digits = 1; SET LOCAL statement_timeout = 0`;

/** Reads analytics rows from PostgreSQL, each export inside one read-only REPEATABLE READ snapshot. */
export class PgRowSource implements RowSource {
  constructor(private readonly connectionString: string) {}

  async openSnapshot(workspaceId: string): Promise<SourceSnapshot> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'export-worker' });
    // Dropping the connection is how an abandoned COPY is stopped; the failure surfaces on the next query.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(SNAPSHOT_SETTINGS);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw asDatabaseFailure(error);
    }
    return new PgSnapshot(client, workspaceId);
  }
}

class PgSnapshot implements SourceSnapshot {
  private isClosed = false;
  private isDropped = false;

  constructor(
    private readonly client: pg.Client,
    private readonly workspaceId: string,
  ) {}

  reader(source: SourceSpec): SourceReader {
    const drop = () => {
      this.isDropped = true;
      (this.client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    };
    return new PgSourceReader(this.client, { def: CATALOG[source.type], spec: source, workspaceId: this.workspaceId }, drop);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      if (!this.isDropped) await this.client.query('COMMIT');
    } catch (error) {
      throw asDatabaseFailure(error);
    } finally {
      await this.client.end().catch(() => undefined);
    }
  }
}

class PgSourceReader implements SourceReader {
  readonly columns;
  private measured: SourceProfile | null = null;

  constructor(
    private readonly client: pg.Client,
    private readonly selection: SourceSelection,
    private readonly dropConnection: () => void,
  ) {
    this.columns = selectColumns(selection.def, selection.spec.aggregation, selection.spec.fields).map(toColumnSchema);
  }

  async partitions(by: Partition['by']): Promise<Partition[]> {
    const { rows } = await this.client
      .query<{ start: string | null; label: string | null; rows: string }>(buildPartitionCountQuery(this.selection, by, PROFILE))
      .catch((error: unknown) => Promise.reject(asDatabaseFailure(error)));
    this.measured = readProfile(rows, this.columns, this.selection.def.timestampColumn, PROFILE);
    const partitions = rows.filter((row) => Number(row.rows) > 0).map((row) => ({ by, start: row.start, label: row.label, rows: Number(row.rows) }));
    // A source with no matching rows still gets one (empty, valid) file, named without a period.
    return partitions.length > 0 ? partitions : [{ by, start: null, label: null, rows: 0 }];
  }

  async *read(partition: Partition, dialect: RowDialect, signal: AbortSignal): AsyncIterable<RowChunk> {
    const slice = partition.by === 'none' || partition.start === null ? undefined : { by: partition.by, start: partition.start };
    const { setup, copy } = toCopyStatement(buildRowsQuery(this.selection, dialect, slice), dialect);
    if (setup) await this.client.query(setup).catch((error: unknown) => Promise.reject(asDatabaseFailure(error)));
    signal.throwIfAborted();
    const rows = this.client.query(new CopyOutRows(copy));
    let isComplete = false;
    // A COPY cannot be abandoned half-read: the connection is dropped instead, which also stops the query.
    const abandon = this.dropConnection;
    signal.addEventListener('abort', abandon, { once: true });
    try {
      for await (const chunk of rows as AsyncIterable<RowChunk>) yield restoreRowText(chunk, dialect);
      isComplete = true;
    } catch (error) {
      throw asDatabaseFailure(error);
    } finally {
      signal.removeEventListener('abort', abandon);
      if (!isComplete) abandon();
    }
  }

  describeFilters(): string[] {
    return describeFilters(this.selection);
  }

  profile(): SourceProfile | null {
    return this.measured;
  }
}

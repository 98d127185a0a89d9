import type { ColumnSchema, SourceProfile, SourceSpec } from '@export-service/contracts';

/**
 * How a row source encodes each row, chosen by the encoder that consumes it:
 * `csv` is an RFC 4180 line, `json`/`jsonl` one JSON object per line (`json` with a trailing comma),
 * `xlsx` one SpreadsheetML `<row>` element per line, `json_pretty` one indented JSON object over
 * several lines with a trailing comma. Each row ends with `\n`.
 */
export type RowDialect = 'csv' | 'json' | 'jsonl' | 'xlsx' | 'json_pretty';

/** Encoded rows, whole rows only: `ends[i]` is the byte offset just past row i. */
export interface RowChunk {
  data: Buffer;
  ends: Uint32Array;
}

/** One slice of a data source that becomes its own file(s): a month, an ISO week, or everything. */
export interface Partition {
  /** How the source was cut. */
  by: 'none' | 'month' | 'week';
  /** File-name label (`2024_01`, `2024_W03`) or null when not split by period. */
  label: string | null;
  /** Start of the period (ISO instant) or null. */
  start: string | null;
  /** Exact rows in this partition, counted in the export's snapshot. */
  rows: number;
}

/** Reads one data source inside a snapshot. */
export interface SourceReader {
  /** Output columns and their types. */
  readonly columns: ColumnSchema[];
  /** Partitions in time order, each with its exact row count. */
  partitions(by: 'none' | 'month' | 'week'): Promise<Partition[]>;
  /** Streams a partition's rows, encoded by the database, in row-aligned chunks. */
  read(partition: Partition, dialect: RowDialect, signal: AbortSignal): AsyncIterable<RowChunk>;
  /** A human description of the filters applied, for the manifest's lineage. */
  describeFilters(): string[];
  /** What the values hold (date range, longest text, precision), measured by `partitions()`; null before it ran. */
  profile(): SourceProfile | null;
}

/** A consistent, read-only view of the analytics data for the whole export. */
export interface SourceSnapshot {
  reader(source: SourceSpec): SourceReader;
  close(): Promise<void>;
}

/** Opens snapshots for one workspace; the workspace filter is applied by the source, never by callers. */
export interface RowSource {
  openSnapshot(workspaceId: string): Promise<SourceSnapshot>;
}

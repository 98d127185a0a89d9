import type { ColumnSchema, ExportFormat, ParquetCompression } from '@export-service/contracts';
import type { ByteSink } from './byte-sink';
import type { RowChunk, RowDialect } from './row-source';

/** What an encoder knows about the file it writes. */
export interface EncodeContext {
  columns: ColumnSchema[];
  /** Data source name: the sheet name for Excel. */
  title: string;
}

/** One output file being written by a streaming encoder. */
export interface PartEncoder {
  /**
   * Writes what opens the file (a CSV header, JSON's `[`): called once as the part opens, so those
   * bytes count against the part's size limit before the first row is weighed.
   */
  start(): Promise<void>;
  writeRows(chunk: RowChunk): Promise<void>;
  flush(): Promise<void>;
  /** Writes the footer and ends the downstream sink. */
  finish(): Promise<void>;
  destroy(error?: Error): Promise<void>;
  /** Formats that hold several tables in one file (Excel sheets): the rows that follow belong to a new table. */
  startSection?(context: EncodeContext): Promise<void>;
}

/** A format written as rows arrive (CSV, JSON, JSON Lines, Excel). */
export interface StreamingEncoder {
  readonly kind: 'streaming';
  readonly format: ExportFormat;
  readonly extension: string;
  readonly contentType: string;
  /** The row encoding this encoder wants from the source. */
  readonly dialect: RowDialect;
  /** The encoding it wants for `jsonPretty` specs, when it offers an indented one. */
  readonly prettyDialect?: RowDialect;
  openPart(next: ByteSink, context: EncodeContext): PartEncoder;
  /** Most bytes `n` more row bytes can become, footer included. */
  maxOutput(rowBytes: number): number;
}

/** A file produced whole by an engine from staged rows (Parquet through DuckDB). */
export interface StagedFile {
  path: string;
  rows: number;
  cleanup(): Promise<void>;
}

/** Rows of one partition, staged so an engine can re-read any range of them. */
export interface StagedRows {
  readonly rows: number;
  /** Writes rows [offset, offset + count) as one file. */
  encodeRange(offset: number, count: number): Promise<StagedFile>;
  cleanup(): Promise<void>;
}

/** Collects a partition's rows, then encodes ranges of them into files. */
export interface RowStager {
  writeRows(chunk: RowChunk): Promise<void>;
  /** Ends staging; the rows can now be encoded. */
  seal(): Promise<StagedRows>;
  destroy(): Promise<void>;
}

/** Options a staged encoder honours. */
export interface StagedEncodeOptions {
  parquetCompression: ParquetCompression;
  signal: AbortSignal;
}

/** A format whose files are built from staged rows (Parquet). */
export interface StagedEncoder {
  readonly kind: 'staged';
  readonly format: ExportFormat;
  readonly extension: string;
  readonly contentType: string;
  readonly dialect: RowDialect;
  openStager(context: EncodeContext, options: StagedEncodeOptions): Promise<RowStager>;
}

/** Any format encoder. */
export type FormatEncoder = StreamingEncoder | StagedEncoder;

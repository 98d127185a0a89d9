import type { Aggregation, Compression, DeliveryMethod, ExportFormat, ParquetCompression } from './export-options';
import type { DataSourceType } from './data-sources';

/** A time window, both ends ISO-8601 UTC instants; `to` is exclusive. */
export interface InstantRange {
  from: string;
  to: string;
}

/** Filter values after validation, keyed by the catalog's filter names. */
export type SourceFilters = Record<string, string | string[] | boolean | InstantRange>;

/** One data source of an export, checked against the catalog. */
export interface SourceSpec {
  type: DataSourceType;
  /** Output columns, in order. */
  fields: string[];
  filters: SourceFilters;
  aggregation: Aggregation | null;
  /** CSV only: text starting like a spreadsheet formula gets a leading `'` (options.csv_formula_guard). */
  formulaGuard?: boolean;
}

/** How a source is cut into files. `maxBytes` caps every file, whatever the period. */
export interface SplitSpec {
  by: 'none' | 'month' | 'week' | 'size';
  maxBytes: number | null;
}

/** Encryption as the worker applies it; the password itself is never part of the spec. */
export interface EncryptionSpec {
  enabled: boolean;
  /** `zip-aes`: WinZip AES-256 inside the zip; `openpgp`: an AES-256 .gpg wrapper. */
  container: 'zip-aes' | 'openpgp' | null;
  passwordProtected: boolean;
}

/** The validated, normalised export configuration a worker runs. */
export interface ExportSpec {
  name: string;
  sources: SourceSpec[];
  format: ExportFormat;
  compression: Compression;
  split: SplitSpec;
  parquetCompression: ParquetCompression;
  delivery: { method: DeliveryMethod };
  encryption: EncryptionSpec;
  /** JSON only: every object indented over several lines (options.json_pretty). */
  jsonPretty?: boolean;
  /** Excel only: one workbook with one sheet per data source (options.excel_sheets). */
  excelSheets?: boolean;
  /** Set for a conversion: the rows come from this completed export's files, not from the analytics tables. */
  conversion?: ConversionSpec;
}

/** Where a conversion reads its rows and how it cuts them into periods. */
export interface ConversionSpec {
  sourceJobId: string;
  /**
   * For month/week splits: the column (per source, by index) whose value places a row in a period, or
   * null to keep the periods the source's own files were cut by.
   */
  periodColumns: Array<string | null>;
}

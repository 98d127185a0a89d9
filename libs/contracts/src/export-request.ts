import type { DataSourceType } from './data-sources';
import type { DeliveryRequest } from './delivery';
import type { Aggregation, Compression, EncryptionMethod, ExportFormat, ParquetCompression, SplitBy } from './export-options';
import type { DateRangeRelative } from './schedules';

/** A time window as clients write it: dates (`2024-01-01`) or ISO-8601 instants, or a period relative to the run. */
export interface DateRangeRequest {
  start?: string;
  end?: string;
  /** `since_last_run` only in templates and schedules: the run continues where the last successful one stopped. */
  relative?: DateRangeRelative;
  /** With `relative: last_n_days`. */
  days?: number;
}

/** One data source of a request, before it is checked against the catalog. */
export interface DataSourceRequest {
  type: DataSourceType;
  /** Filter values by the catalog's filter names. */
  filters?: { [name: string]: unknown };
  fields?: string[];
  aggregation?: Aggregation;
}

/**
 * An export as a client (or a schedule, template, bulk batch or conversion) asks for it: the spec's
 * create body, already checked for shape. The API's DTO classes implement it.
 */
export interface ExportRequest {
  name: string;
  data_sources: DataSourceRequest[];
  format: ExportFormat;
  compression?: Compression;
  split_files?: { enabled: boolean; max_size_mb?: number; split_by?: SplitBy };
  delivery?: DeliveryRequest;
  encryption?: { enabled: boolean; method?: EncryptionMethod; password_protected?: boolean; password?: string };
  options?: { parquet_compression?: ParquetCompression; csv_formula_guard?: boolean; json_pretty?: boolean; excel_sheets?: boolean };
  /** Days the files are kept before they expire (EXPORT_TTL_DAYS by default). */
  ttl_days?: number;
}

/** POST /export/convert as a client writes it: the spec's body, plus the output options every export has. */
export interface ConvertRequest {
  source_job_id: string;
  target_format: ExportFormat;
  options?: { excel_sheets?: boolean; json_pretty?: boolean; parquet_compression?: ParquetCompression };
  /** The new export's name; "<source name> (<format>)" by default. */
  name?: string;
  compression?: Compression;
  /** How to cut the converted files; the source's own split by default. */
  split_files?: ExportRequest['split_files'];
  /** The converted files' encryption; an encrypted source's (same password) by default. */
  encryption?: ExportRequest['encryption'];
  /** The source export's password, when its files are encrypted (or send X-Export-Password). */
  password?: string;
  ttl_days?: number;
}

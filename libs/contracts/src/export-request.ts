import type { DataSourceType } from './data-sources';
import type { DeliveryRequest } from './delivery';
import type { Aggregation, Compression, EncryptionMethod, ExportFormat, ParquetCompression, RelativePeriod, SplitBy } from './export-options';

/** A time window as clients write it: dates (`2024-01-01`) or ISO-8601 instants, or a period relative to the run. */
export interface DateRangeRequest {
  start?: string;
  end?: string;
  relative?: RelativePeriod;
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
  options?: { parquet_compression?: ParquetCompression; csv_formula_guard?: boolean };
}

/** File formats an export can be written in. Values persist in PostgreSQL and Redis: never rename them. */
export const EXPORT_FORMATS = ['csv', 'json', 'jsonl', 'excel', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Outer compression applied to each file. */
export const COMPRESSIONS = ['none', 'gzip', 'zip', 'bz2'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** How `split_files` cuts a data source into several files. */
export const SPLIT_BY = ['month', 'week', 'size'] as const;
export type SplitBy = (typeof SPLIT_BY)[number];

/** Date ranges named relative to when an export runs (resolved then). Values persist in templates and schedules. */
export const RELATIVE_PERIODS = ['previous_day', 'previous_week', 'previous_month', 'last_n_days', 'month_to_date'] as const;
export type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

/** Codec used inside Parquet files. */
export const PARQUET_COMPRESSIONS = ['snappy', 'gzip', 'zstd', 'none'] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** Where finished files go; each export names one or more targets (libs/contracts/src/delivery.ts). */
export const DELIVERY_METHODS = ['download', 'email', 's3', 'sftp', 'ftp', 'webhook'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];
export const AVAILABLE_DELIVERY_METHODS: readonly DeliveryMethod[] = DELIVERY_METHODS;

/** Encryption methods named by the spec. */
export const ENCRYPTION_METHODS = ['AES256'] as const;
export type EncryptionMethod = (typeof ENCRYPTION_METHODS)[number];

/** Time buckets for aggregated data sources. */
export const AGGREGATIONS = ['daily', 'weekly', 'monthly'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Lifecycle of an export job as the API reports it. */
export const EXPORT_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** Roles an API key can carry. */
export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Formats whose files are already compressed inside (outer compression adds little). */
export const SELF_COMPRESSED_FORMATS: readonly ExportFormat[] = ['excel', 'parquet'];

/** One megabyte as the API counts it (decimal, so a limit holds under either reading). */
export const BYTES_PER_MB = 1_000_000;

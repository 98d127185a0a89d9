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

/** Lifecycle of an export job as the API reports it. Values persist in PostgreSQL: never rename them. */
export const EXPORT_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** Statuses an export never leaves (it may still be deleted or expire afterwards). */
export const FINISHED_STATUSES: readonly ExportStatus[] = ['completed', 'failed', 'cancelled'];

/** What created an export. Values persist in PostgreSQL. */
export const EXPORT_ORIGINS = ['api', 'schedule', 'bulk', 'conversion'] as const;
export type ExportOrigin = (typeof EXPORT_ORIGINS)[number];

/** Why an export's files were deleted (the row stays, its downloads answer 410). Values persist in PostgreSQL. */
export const DELETION_REASONS = ['user', 'expired', 'retention', 'cleanup'] as const;
export type DeletionReason = (typeof DELETION_REASONS)[number];

/** Days an export's files are kept when neither the export nor its workspace says otherwise (EXPORT_TTL_DAYS). */
export const MAX_EXPORT_TTL_DAYS = 3_650;

/**
 * Roles an API key can carry: `admin` (the whole workspace, admin endpoints, Bull Board), `member` (its
 * own exports), `viewer` (read only: Bull Board without actions, export status and live progress of the
 * workspace; no downloads, nothing that changes state).
 */
export const ROLES = ['admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Formats whose files are already compressed inside (outer compression adds little). */
export const SELF_COMPRESSED_FORMATS: readonly ExportFormat[] = ['excel', 'parquet'];

/** One megabyte as the API counts it (decimal, so a limit holds under either reading). */
export const BYTES_PER_MB = 1_000_000;

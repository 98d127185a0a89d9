/** The analytics tables an export can read. */
export const DATA_SOURCE_TYPES = ['user_activity', 'user_sessions', 'agent_performance', 'credit_consumption', 'error_logs'] as const;
export type DataSourceType = (typeof DATA_SOURCE_TYPES)[number];

/** Logical column types the catalog declares; every encoder maps each one. */
export const COLUMN_TYPES = ['uuid', 'text', 'integer', 'bigint', 'numeric', 'double', 'boolean', 'timestamp', 'date', 'json'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** A column as it appears in an exported file. */
export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /** Digits and scale for `numeric` columns. */
  precision?: number;
  scale?: number;
  nullable: boolean;
}

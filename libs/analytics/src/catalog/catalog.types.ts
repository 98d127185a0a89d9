import type { Aggregation, ColumnType, DataSourceType } from '@export-service/contracts';

/** A column of a data source; `expression` is SQL over the source relation `src` (default: the column). */
export interface ColumnDef {
  name: string;
  type: ColumnType;
  nullable: boolean;
  precision?: number;
  scale?: number;
  expression?: string;
  description: string;
}

/** Kinds of filters the catalog offers. */
export type FilterDef =
  | { name: string; kind: 'date_range'; description: string }
  | { name: string; kind: 'workspace'; description: string }
  | { name: string; kind: 'boolean'; column: string; description: string }
  | {
      name: string;
      kind: 'values';
      column: string;
      /** SQL type of the column: values are bound as an array of it. */
      sqlType: 'uuid' | 'text';
      /** Each value must match, so junk is refused before it reaches SQL. */
      pattern: RegExp;
      maxItems: number;
      description: string;
    };

/** An aggregation: grouped output columns over the raw rows of the source table `src`. */
export interface AggregationDef {
  /** Output columns; the first is the bucket start, named `period_start`. */
  columns: ColumnDef[];
  /** Non-bucket grouping expressions. */
  groupBy: string[];
  /** Output column names to order by. */
  orderBy: string[];
}

/** Truncation units used for aggregation buckets and period splits. */
export type TimeUnit = 'day' | 'week' | 'month';

/** Everything the service knows about one analytics table. */
export interface DataSourceDef {
  type: DataSourceType;
  table: string;
  description: string;
  timestampColumn: string;
  columns: ColumnDef[];
  filters: FilterDef[];
  aggregations: Partial<Record<Aggregation, AggregationDef>>;
  /** Typical bytes of one CSV row, for size estimates. */
  averageRowBytes: number;
}

/** Bucket unit of each aggregation. */
export const AGGREGATION_UNIT: Record<Aggregation, TimeUnit> = { daily: 'day', weekly: 'week', monthly: 'month' };

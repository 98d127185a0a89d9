import type { Aggregation, ColumnSchema, DataSourceType } from '@export-service/contracts';
import type { ColumnDef, DataSourceDef } from './catalog.types';
import { agentPerformanceSource } from './sources/agent-performance.source';
import { creditConsumptionSource } from './sources/credit-consumption.source';
import { errorLogsSource } from './sources/error-logs.source';
import { userActivitySource } from './sources/user-activity.source';
import { userSessionsSource } from './sources/user-sessions.source';

/** Every data source an export can read; a missing one is a compile error. */
export const CATALOG = {
  user_activity: userActivitySource,
  user_sessions: userSessionsSource,
  agent_performance: agentPerformanceSource,
  credit_consumption: creditConsumptionSource,
  error_logs: errorLogsSource,
} as const satisfies Record<DataSourceType, DataSourceDef>;

/** Output columns of a source, raw or aggregated. */
export function availableColumns(def: DataSourceDef, aggregation: Aggregation | null): ColumnDef[] {
  if (aggregation === null) return def.columns;
  const rollup = def.aggregations[aggregation];
  if (!rollup) throw new Error(`${def.type} has no ${aggregation} aggregation`);
  return rollup.columns;
}

/** The columns of a file, in the order of `fields`. */
export function selectColumns(def: DataSourceDef, aggregation: Aggregation | null, fields: string[]): ColumnDef[] {
  const columns = availableColumns(def, aggregation);
  return fields.map((field) => {
    const found = columns.find((candidate) => candidate.name === field);
    if (!found) throw new Error(`${def.type} has no column ${field}`);
    return found;
  });
}

/** The public schema of a column. */
export function toColumnSchema(column: ColumnDef): ColumnSchema {
  const schema: ColumnSchema = { name: column.name, type: column.type, nullable: column.nullable };
  if (column.precision !== undefined) schema.precision = column.precision;
  if (column.scale !== undefined) schema.scale = column.scale;
  return schema;
}

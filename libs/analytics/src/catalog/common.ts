import type { ColumnDef, FilterDef, TimeUnit } from './catalog.types';

/** Filters every data source accepts. */
export const COMMON_FILTERS: FilterDef[] = [
  { name: 'date_range', kind: 'date_range', description: 'Rows whose timestamp falls in {start, end} (dates or ISO-8601 instants; a date-only end includes that whole day, UTC).' },
  { name: 'workspace_id', kind: 'workspace', description: 'Must be your own workspace; the workspace always comes from your API key.' },
];

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** A filter on a list of UUIDs. */
export function uuidFilter(name: string, column: string, description: string): FilterDef {
  return { name, kind: 'values', column, sqlType: 'uuid', pattern: UUID, maxItems: 10_000, description };
}

/** A filter on a list of identifiers or enum-like words. */
export function slugFilter(name: string, column: string, description: string): FilterDef {
  return { name, kind: 'values', column, sqlType: 'text', pattern: SLUG, maxItems: 1_000, description };
}

/** A column as stored. */
export function column(name: string, type: ColumnDef['type'], nullable: boolean, description: string, extra: Partial<ColumnDef> = {}): ColumnDef {
  return { name, type, nullable, description, ...extra };
}

/** The bucket-start column of an aggregation over `timestampColumn`. */
export function periodStart(timestampColumn: string, unit: TimeUnit): ColumnDef {
  return column('period_start', 'date', false, `First day of the ${unit} (UTC)`, {
    expression: `(date_trunc('${unit}', src."${timestampColumn}" AT TIME ZONE 'UTC'))::date`,
  });
}

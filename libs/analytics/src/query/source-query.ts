import type { InstantRange, SourceSpec } from '@export-service/contracts';
import type { RowDialect } from '@export-service/export-core';
import { AGGREGATION_UNIT, type ColumnDef, type DataSourceDef, type TimeUnit } from '../catalog/catalog.types';
import { selectColumns, toColumnSchema } from '../catalog/catalog';
import { profileAggregates, profileAliases, type ProfileOptions } from './source-profile';
import { csvExpression, jsonExpression, xlsxCell } from './dialect-expressions';
import { ident, Params, type SqlQuery } from './sql';

/** A data source as one export reads it: catalog entry, validated spec, and the caller's workspace. */
export interface SourceSelection {
  def: DataSourceDef;
  spec: SourceSpec;
  workspaceId: string;
}

/** A period slice: `start` is the UTC wall-clock start (`2024-01-01T00:00:00`). */
export interface PeriodSlice {
  by: 'month' | 'week';
  start: string;
}

/** Conditions every query of the selection carries: workspace, soft deletes, then the spec's filters. */
function filterConditions(selection: SourceSelection, params: Params): string[] {
  const { def, spec, workspaceId } = selection;
  const time = `src.${ident(def.timestampColumn)}`;
  const conditions = [`src.workspace_id = ${params.add(workspaceId, 'text')}`, 'src.deleted_at IS NULL'];
  for (const filter of def.filters) {
    const value = spec.filters[filter.name];
    if (value === undefined) continue;
    switch (filter.kind) {
      case 'workspace':
        break; // the workspace always comes from the caller's key, above
      case 'date_range': {
        const range = value as InstantRange;
        conditions.push(`${time} >= ${params.add(range.from, 'timestamptz')}`, `${time} < ${params.add(range.to, 'timestamptz')}`);
        break;
      }
      case 'boolean':
        conditions.push(`src.${ident(filter.column)} = ${params.add(value, 'boolean')}`);
        break;
      case 'values':
        conditions.push(`src.${ident(filter.column)} = ANY(${params.add(value, `${filter.sqlType}[]`)})`);
        break;
    }
  }
  return conditions;
}

/** Rows of a period: a plain time range, or, for rollups, the buckets that start in the period. */
function periodConditions(selection: SourceSelection, slice: PeriodSlice, params: Params): string[] {
  const time = `src.${ident(selection.def.timestampColumn)}`;
  const start = params.add(slice.start, 'timestamp');
  const unit = bucketUnit(selection);
  if (unit === null) {
    return [`${time} >= (${start} AT TIME ZONE 'UTC')`, `${time} < ((${start} + interval '1 ${slice.by}') AT TIME ZONE 'UTC')`];
  }
  const bucket = `date_trunc('${unit}', ${time} AT TIME ZONE 'UTC')`;
  return [
    `${time} >= (${start} AT TIME ZONE 'UTC')`,
    `${time} < ((${start} + interval '1 ${slice.by}' + interval '1 ${unit}') AT TIME ZONE 'UTC')`,
    `date_trunc('${slice.by}', ${bucket}) = ${start}`,
  ];
}

function bucketUnit(selection: SourceSelection): TimeUnit | null {
  return selection.spec.aggregation === null ? null : AGGREGATION_UNIT[selection.spec.aggregation];
}

/** The relation rows come from (the table, or its rollup) with conditions and order. */
function relation(selection: SourceSelection, params: Params, slice?: PeriodSlice): { from: string; orderBy: string; ref: (column: ColumnDef) => string } {
  const { def, spec } = selection;
  const conditions = [...filterConditions(selection, params), ...(slice ? periodConditions(selection, slice, params) : [])];
  const where = conditions.join(' AND ');
  if (spec.aggregation === null) {
    return {
      from: `${ident(def.table)} AS src WHERE ${where}`,
      orderBy: `src.${ident(def.timestampColumn)}, src.id`,
      ref: (column) => column.expression ?? `src.${ident(column.name)}`,
    };
  }
  const rollup = def.aggregations[spec.aggregation];
  if (!rollup) throw new Error(`${def.type} has no ${spec.aggregation} aggregation`);
  const columns = rollup.columns.map((column) => `${column.expression ?? `src.${ident(column.name)}`} AS ${ident(column.name)}`).join(', ');
  const groupBy = ['1', ...rollup.groupBy].join(', ');
  return {
    from: `(SELECT ${columns} FROM ${ident(def.table)} AS src WHERE ${where} GROUP BY ${groupBy}) AS src`,
    orderBy: rollup.orderBy.map((name) => `src.${ident(name)}`).join(', '),
    ref: (column) => `src.${ident(column.name)}`,
  };
}

/** The SELECT that renders a source's rows in a dialect, one text row (or CSV record) per output row. */
export function buildRowsQuery(selection: SourceSelection, dialect: RowDialect, slice?: PeriodSlice): SqlQuery {
  const params = new Params();
  const { from, orderBy, ref } = relation(selection, params, slice);
  const columns = selectColumns(selection.def, selection.spec.aggregation, selection.spec.fields).map((column) => ({ name: column.name, type: column.type, ref: ref(column) }));
  return { text: renderRowsSelect(dialect, columns, `${from} ORDER BY ${orderBy}`, selection.spec.formulaGuard === true), values: params.values };
}

/** An output column: its name, type and SQL over the relation it is read from. */
export interface RenderedColumn {
  name: string;
  type: ColumnDef['type'];
  ref: string;
}

/**
 * The SELECT that renders rows in a dialect from `fromAndOrder` (`<relation> WHERE ... ORDER BY ...`):
 * the one place every dialect's row is assembled, for the analytics tables and for the staged rows of
 * a conversion alike, so both print every value the same way.
 */
export function renderRowsSelect(dialect: RowDialect, columns: RenderedColumn[], fromAndOrder: string, isFormulaGuarded = false): string {
  const projected = (render: (column: RenderedColumn) => string) => columns.map((column) => `${render(column)} AS ${ident(column.name)}`).join(', ');
  switch (dialect) {
    case 'csv':
      return `SELECT ${projected((c) => csvExpression(c.ref, c.type, isFormulaGuarded))} FROM ${fromAndOrder}`;
    case 'json':
    case 'jsonl': {
      const separator = dialect === 'json' ? ` || ','` : '';
      return `SELECT row_to_json(r)::text${separator} FROM (SELECT ${projected((c) => jsonExpression(c.ref, c.type))} FROM ${fromAndOrder}) AS r`;
    }
    case 'json_pretty': {
      // Each member on its own line, nested JSON indented under it. COPY would quote a row holding a raw newline,
      // so line breaks travel as \x03 (never raw in JSON text) and the reader turns them back (restoreRowText).
      const members = columns.map((column) => `'    ${JSON.stringify(column.name).replace(/'/g, "''")}: ' || ${prettyJsonValue(`r.${ident(column.name)}`, column.type)}`);
      const body = members.length > 0 ? members.join(` || E',\\x03' || `) : `''`;
      return `SELECT E'  {\\x03' || ${body} || E'\\x03  },' FROM (SELECT ${projected((c) => jsonExpression(c.ref, c.type))} FROM ${fromAndOrder}) AS r`;
    }
    case 'xlsx': {
      const cells = columns.map((column) => xlsxCell(column.ref, column.type)).join(' || ');
      return `SELECT '<row>' || ${cells} || '</row>' FROM ${fromAndOrder}`;
    }
  }
}

/** A value as pretty JSON: null, scalars as JSON writes them, JSON documents indented one level deeper. */
function prettyJsonValue(ref: string, type: ColumnDef['type']): string {
  if (type === 'json') return `COALESCE(replace(jsonb_pretty(${ref}::jsonb), E'\\n', E'\\x03    '), 'null')`;
  return `COALESCE(to_json(${ref})::text, 'null')`;
}

/**
 * Output rows per period (or in all), with each period's file label, for exact progress and file
 * plans; in the same scan, the facts of the values (`profileAggregates`: date range, longest text,
 * precision), so an export records them at the cost of a few aggregates.
 */
export function buildPartitionCountQuery(selection: SourceSelection, by: 'none' | 'month' | 'week', profile: ProfileOptions = { isJsonMeasured: false }): SqlQuery {
  const params = new Params();
  const conditions = filterConditions(selection, params).join(' AND ');
  const { def, spec } = selection;
  const time = `src.${ident(def.timestampColumn)}`;
  const unit = bucketUnit(selection);
  const rowTime = unit === null ? `${time} AT TIME ZONE 'UTC'` : `date_trunc('${unit}', ${time} AT TIME ZONE 'UTC')`;
  const columns = selectColumns(def, spec.aggregation, spec.fields);
  const values = columns.map((column, index) => `${column.expression ?? `src.${ident(column.name)}`} AS ${ident(`c${index}`)}`);
  const selected = [`${rowTime} AS row_time`, ...values].join(', ');
  const rowsRelation =
    spec.aggregation === null
      ? `SELECT ${selected} FROM ${ident(def.table)} AS src WHERE ${conditions}`
      : `SELECT ${selected} FROM ${ident(def.table)} AS src WHERE ${conditions} GROUP BY 1, ${def.aggregations[spec.aggregation]?.groupBy.join(', ')}`;
  const schemas = columns.map(toColumnSchema);
  const facts = profileAggregates(schemas, profile).join(', ');
  if (by === 'none') {
    return { text: `SELECT NULL::text AS start, NULL::text AS label, count(*)::bigint AS rows, ${facts} FROM (${rowsRelation}) AS r`, values: params.values };
  }
  const labelFormat = by === 'month' ? 'YYYY_MM' : 'IYYY_"W"IW';
  const passed = profileAliases(schemas, profile)
    .map((name) => `p.${name}`)
    .join(', ');
  return {
    text:
      `SELECT to_char(p.period, 'YYYY-MM-DD"T"HH24:MI:SS') AS start, to_char(p.period, '${labelFormat}') AS label, p.rows, ${passed} ` +
      `FROM (SELECT date_trunc('${by}', r.row_time) AS period, count(*)::bigint AS rows, ${facts} FROM (${rowsRelation}) AS r GROUP BY 1) AS p ORDER BY p.period`,
    values: params.values,
  };
}

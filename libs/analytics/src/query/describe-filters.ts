import type { InstantRange } from '@export-service/contracts';
import type { SourceSelection } from './source-query';

/** The filters of a selection in words, for lineage: `workspace_id = 'ws_123'`, `timestamp >= ...`. */
export function describeFilters(selection: SourceSelection): string[] {
  const { def, spec, workspaceId } = selection;
  const lines = [`workspace_id = '${workspaceId}'`, 'deleted_at IS NULL'];
  for (const filter of def.filters) {
    const value = spec.filters[filter.name];
    if (value === undefined || filter.kind === 'workspace') continue;
    if (filter.kind === 'date_range') {
      const range = value as InstantRange;
      lines.push(`${def.timestampColumn} >= '${range.from}'`, `${def.timestampColumn} < '${range.to}'`);
    } else if (filter.kind === 'boolean') lines.push(`${filter.column} = ${String(value)}`);
    else lines.push(`${filter.column} IN (${(value as string[]).map((item) => `'${item}'`).join(', ')})`);
  }
  if (spec.aggregation) lines.push(`aggregated ${spec.aggregation}`);
  return lines;
}

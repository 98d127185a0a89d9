import type { DataSourceDef } from '../catalog.types';
import { column, COMMON_FILTERS, slugFilter, uuidFilter } from '../common';

/** Errors raised by the platform and its agents. */
export const errorLogsSource: DataSourceDef = {
  type: 'error_logs',
  table: 'error_logs',
  description: 'One row per logged error.',
  timestampColumn: 'occurred_at',
  averageRowBytes: 420,
  columns: [
    column('id', 'bigint', false, 'Row id'),
    column('error_id', 'uuid', false, 'Error id'),
    column('severity', 'text', false, 'info, warning, error or critical'),
    column('source', 'text', false, 'Component that raised it'),
    column('error_code', 'text', false, 'Machine code'),
    column('message', 'text', false, 'Message'),
    column('stack_trace', 'text', true, 'Stack trace'),
    column('context', 'json', true, 'Details'),
    column('user_id', 'uuid', true, 'User affected'),
    column('agent_id', 'text', true, 'Agent involved'),
    column('resolved', 'boolean', false, 'Marked resolved'),
    column('occurred_at', 'timestamp', false, 'When (UTC)'),
  ],
  filters: [
    ...COMMON_FILTERS,
    slugFilter('severities', 'severity', 'Only these severities'),
    slugFilter('sources', 'source', 'Only these components'),
    slugFilter('error_codes', 'error_code', 'Only these codes'),
    uuidFilter('user_ids', 'user_id', 'Only these users'),
    slugFilter('agent_ids', 'agent_id', 'Only these agents'),
    { name: 'resolved', kind: 'boolean', column: 'resolved', description: 'Only resolved (true) or open (false) errors' },
  ],
  aggregations: {},
};

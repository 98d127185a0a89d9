import type { DataSourceDef } from '../catalog.types';
import { column, COMMON_FILTERS, slugFilter, uuidFilter } from '../common';

/** Every user action in a workspace. */
export const userActivitySource: DataSourceDef = {
  type: 'user_activity',
  table: 'user_activity',
  description: 'One row per user action (page views, clicks, agent runs, exports, ...).',
  timestampColumn: 'timestamp',
  averageRowBytes: 190,
  columns: [
    column('id', 'bigint', false, 'Row id'),
    column('user_id', 'uuid', false, 'User who acted'),
    column('session_id', 'uuid', true, 'Session the action belongs to'),
    column('action', 'text', false, 'What the user did'),
    column('resource_type', 'text', true, 'Kind of resource acted on'),
    column('resource_id', 'text', true, 'Resource acted on'),
    column('credits', 'numeric', false, 'Credits consumed', { precision: 14, scale: 4 }),
    column('duration_ms', 'integer', true, 'Duration of the action'),
    column('success', 'boolean', false, 'Whether the action succeeded'),
    column('metadata', 'json', true, 'Free-form details'),
    column('timestamp', 'timestamp', false, 'When it happened (UTC)'),
  ],
  filters: [
    ...COMMON_FILTERS,
    uuidFilter('user_ids', 'user_id', 'Only these users'),
    uuidFilter('session_ids', 'session_id', 'Only these sessions'),
    slugFilter('actions', 'action', 'Only these actions'),
    slugFilter('resource_types', 'resource_type', 'Only these resource types'),
    { name: 'success', kind: 'boolean', column: 'success', description: 'Only successful (true) or failed (false) actions' },
  ],
  aggregations: {},
};

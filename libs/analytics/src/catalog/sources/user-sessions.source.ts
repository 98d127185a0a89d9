import type { DataSourceDef } from '../catalog.types';
import { column, COMMON_FILTERS, slugFilter, uuidFilter } from '../common';

/** User sessions with their length and engagement. */
export const userSessionsSource: DataSourceDef = {
  type: 'user_sessions',
  table: 'user_sessions',
  description: 'One row per user session.',
  timestampColumn: 'started_at',
  averageRowBytes: 170,
  columns: [
    column('id', 'bigint', false, 'Row id'),
    column('session_id', 'uuid', false, 'Session id'),
    column('user_id', 'uuid', false, 'User'),
    column('started_at', 'timestamp', false, 'Session start (UTC)'),
    column('ended_at', 'timestamp', true, 'Session end (UTC)'),
    column('duration_seconds', 'integer', true, 'Length of the session'),
    column('device', 'text', true, 'desktop, mobile or tablet'),
    column('browser', 'text', true, 'Browser family'),
    column('country', 'text', true, 'ISO country code'),
    column('pages_viewed', 'integer', false, 'Pages viewed'),
    column('actions_count', 'integer', false, 'Actions taken'),
    column('is_bounce', 'boolean', false, 'Left after one page'),
  ],
  filters: [
    ...COMMON_FILTERS,
    uuidFilter('user_ids', 'user_id', 'Only these users'),
    uuidFilter('session_ids', 'session_id', 'Only these sessions'),
    slugFilter('devices', 'device', 'Only these devices'),
    slugFilter('countries', 'country', 'Only these countries'),
    { name: 'is_bounce', kind: 'boolean', column: 'is_bounce', description: 'Only bounced (true) or engaged (false) sessions' },
  ],
  aggregations: {},
};

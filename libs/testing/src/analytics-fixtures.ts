import type pg from 'pg';
import { ensureAnalyticsSchema } from '@export-service/analytics';

/** A user_activity row; every field can be overridden. */
export interface ActivityRow {
  workspace_id: string;
  user_id: string;
  session_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  credits: string;
  duration_ms: number | null;
  success: boolean;
  metadata: unknown;
  timestamp: string;
  deleted_at: string | null;
}

let sequence = 0;

/** A plausible activity row. */
export function activityRow(overrides: Partial<ActivityRow> = {}): ActivityRow {
  sequence += 1;
  return {
    workspace_id: 'ws_test',
    user_id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    session_id: '11111111-1111-4111-8111-111111111111',
    action: 'page_view',
    resource_type: 'dashboard',
    resource_id: `res_${sequence}`,
    credits: '1.5000',
    duration_ms: 120,
    success: true,
    metadata: { path: '/app', n: sequence },
    timestamp: '2024-03-15T12:00:00.000000Z',
    deleted_at: null,
    ...overrides,
  };
}

/**
 * Rows that break naive exporters: nulls everywhere they are allowed, unicode (accents, CJK,
 * emoji, RTL), quotes, commas, CR/LF inside values, a 50,000-character string, a `_x0041_`
 * look-alike, a control character, huge and negative numerics, nested JSON with its own quotes
 * and backslashes, and timestamps on month, ISO-week and year boundaries.
 */
export function edgeCaseActivityRows(workspaceId: string): ActivityRow[] {
  const rows: Array<Partial<ActivityRow>> = [
    { action: 'login', timestamp: '2024-01-01T00:00:00.000000Z', resource_type: null, resource_id: null, session_id: null, duration_ms: null, metadata: null },
    { action: 'search', resource_id: 'naïve café — 東京 🚀 שלום', timestamp: '2024-01-31T23:59:59.999999Z' },
    { action: 'search', resource_id: 'say "hello", then, goodbye', timestamp: '2024-02-01T00:00:00.000000Z' },
    { action: 'upload', resource_id: 'line one\nline two\r\nline three', timestamp: '2024-02-29T12:34:56.789012Z' },
    { action: 'export', resource_id: 'x'.repeat(50_000), timestamp: '2024-06-30T23:59:59.000000Z' },
    { action: 'share', resource_id: 'literal _x0041_ and tab\there', timestamp: '2024-07-01T00:00:00.000000Z' },
    { action: 'click', resource_id: `bell${String.fromCharCode(7)}char`, timestamp: '2024-12-29T23:59:59.999999Z' },
    { action: 'click', credits: '9999999999.9999', timestamp: '2024-12-30T00:00:00.000000Z' },
    { action: 'click', credits: '-1234567.8901', success: false, timestamp: '2024-12-31T23:59:59.999999Z' },
    {
      action: 'agent_run',
      credits: '0.0000',
      metadata: { nested: { quote: 'he said "hi"', backslash: 'C:\\temp\\new', list: [1, 2.5, null, true] } },
      timestamp: '2025-01-01T00:00:00.000000Z',
    },
    { action: 'api_call', resource_id: '', metadata: { empty: '' }, timestamp: '2025-12-31T23:59:59.999999Z' },
    { action: 'logout', resource_id: ' leading and trailing spaces ', duration_ms: -5, timestamp: '2025-06-15T08:00:00.000000Z' },
  ];
  return rows.map((row) => activityRow({ workspace_id: workspaceId, ...row }));
}

const COLUMNS: Array<keyof ActivityRow> = [
  'workspace_id',
  'user_id',
  'session_id',
  'action',
  'resource_type',
  'resource_id',
  'credits',
  'duration_ms',
  'success',
  'metadata',
  'timestamp',
  'deleted_at',
];

/** Inserts activity rows (creating the analytics tables when missing). */
export async function insertActivityRows(pool: pg.Pool, rows: ActivityRow[]): Promise<void> {
  await ensureAnalyticsSchema(pool);
  for (let start = 0; start < rows.length; start += 500) {
    const batch = rows.slice(start, start + 500);
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = COLUMNS.map((column) => {
        values.push(column === 'metadata' && row.metadata !== null ? JSON.stringify(row.metadata) : row[column]);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await pool.query(`INSERT INTO user_activity (${COLUMNS.map((column) => `"${column}"`).join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

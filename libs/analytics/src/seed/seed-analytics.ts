import type pg from 'pg';
import { ANALYTICS_SCHEMA_SQL } from '../analytics-schema';

/** How much synthetic data to write for a workspace. */
export interface SeedOptions {
  workspaceId: string;
  /** user_activity rows; the other tables get proportional shares. */
  rows: number;
  /** Spread of the timestamps (defaults: all of 2024 and 2025). */
  from?: string;
  to?: string;
  onProgress?: (table: string, rows: number) => void;
}

const BATCH_ROWS = 500_000;

/** Creates the analytics tables when missing. */
export async function ensureAnalyticsSchema(pool: pg.Pool): Promise<void> {
  await pool.query(ANALYTICS_SCHEMA_SQL);
}

/** True when the workspace has any analytics rows. */
export async function hasAnalyticsData(pool: pg.Pool, workspaceId: string): Promise<boolean> {
  const { rows } = await pool.query('SELECT EXISTS (SELECT 1 FROM user_activity WHERE workspace_id = $1) AS present', [workspaceId]);
  return Boolean(rows[0]?.present);
}

/** Share of user_activity's row count each table gets. */
const TABLE_SHARES: Array<[string, number]> = [
  ['user_activity', 1],
  ['user_sessions', 0.1],
  ['agent_performance', 0.25],
  ['credit_consumption', 0.25],
  ['error_logs', 0.05],
];

/**
 * Fills the analytics tables with realistic synthetic rows, in time order, with set-based
 * `INSERT ... SELECT generate_series` statements of half a million rows each.
 */
export async function seedAnalytics(pool: pg.Pool, options: SeedOptions): Promise<void> {
  await ensureAnalyticsSchema(pool);
  const from = options.from ?? '2024-01-01T00:00:00Z';
  const to = options.to ?? '2026-01-01T00:00:00Z';
  for (const [table, share] of TABLE_SHARES) {
    const total = Math.max(share > 0 && options.rows > 0 ? 1 : 0, Math.round(options.rows * share));
    for (let first = 1; first <= total; first += BATCH_ROWS) {
      const last = Math.min(total, first + BATCH_ROWS - 1);
      await pool.query({ text: SEED_SQL[table] as string, values: [options.workspaceId, first, last, total, from, to] });
      options.onProgress?.(table, last);
    }
  }
  await pool.query('ANALYZE user_activity, user_sessions, agent_performance, credit_consumption, error_logs');
}

// $1 workspace, $2..$3 row numbers of this batch, $4 total rows, $5..$6 time span.
const AT = `($5::timestamptz + (g::double precision / $4) * ($6::timestamptz - $5::timestamptz))`;
const USER = `md5($1 || ':user:' || ((g * 2654435761) % 2000))::uuid`;
const AGENT = `'agent_' || lpad(((g * 40503) % 40)::text, 3, '0')`;
const PICK = (values: string[], seed: string) => `(ARRAY[${values.map((value) => `'${value}'`).join(', ')}])[1 + ((${seed}) % ${values.length})]`;

const SEED_SQL: Record<string, string> = {
  user_activity: `
INSERT INTO user_activity (workspace_id, user_id, session_id, action, resource_type, resource_id, credits, duration_ms, success, metadata, "timestamp", deleted_at)
SELECT $1, ${USER}, md5($1 || ':session:' || (g / 25))::uuid,
  ${PICK(['page_view', 'page_view', 'page_view', 'click', 'click', 'search', 'agent_run', 'api_call', 'export', 'login', 'logout', 'upload', 'share'], 'g * 7')},
  CASE WHEN g % 9 = 0 THEN NULL ELSE ${PICK(['dashboard', 'report', 'agent', 'dataset', 'workspace'], 'g * 3')} END,
  CASE WHEN g % 9 = 0 THEN NULL ELSE 'res_' || ((g * 31) % 50000) END,
  round(((g * 17) % 10000) / 1000.0, 4),
  CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 37) % 12000 END,
  g % 23 <> 0,
  CASE WHEN g % 11 = 0 THEN NULL ELSE jsonb_build_object('browser', ${PICK(['Chrome', 'Firefox', 'Safari', 'Edge'], 'g')}, 'path', '/app/' || ${PICK(['dashboard', 'reports', 'agents', 'settings'], 'g * 5')}, 'ui_version', 'v' || (g % 7)) END,
  ${AT}, CASE WHEN g % 100 = 0 THEN ${AT} + interval '1 day' END
FROM generate_series($2::bigint, $3::bigint) AS g`,
  user_sessions: `
INSERT INTO user_sessions (workspace_id, session_id, user_id, started_at, ended_at, duration_seconds, device, browser, country, pages_viewed, actions_count, is_bounce, deleted_at)
SELECT $1, md5($1 || ':s:' || g)::uuid, ${USER}, ${AT},
  CASE WHEN g % 17 = 0 THEN NULL ELSE ${AT} + ((g * 97) % 7200) * interval '1 second' END,
  CASE WHEN g % 17 = 0 THEN NULL ELSE (g * 97) % 7200 END,
  ${PICK(['desktop', 'desktop', 'mobile', 'tablet'], 'g')}, ${PICK(['Chrome', 'Firefox', 'Safari', 'Edge'], 'g * 3')},
  ${PICK(['US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'CA'], 'g * 7')}, 1 + (g * 13) % 40, (g * 7) % 120, g % 6 = 0,
  CASE WHEN g % 150 = 0 THEN ${AT} END
FROM generate_series($2::bigint, $3::bigint) AS g`,
  agent_performance: `
INSERT INTO agent_performance (workspace_id, agent_id, run_id, task_type, status, latency_ms, tokens_input, tokens_output, credits_used, quality_score, error_code, recorded_at, deleted_at)
SELECT $1, ${AGENT}, md5($1 || ':run:' || g)::uuid, ${PICK(['summarize', 'classify', 'extract', 'chat', 'plan'], 'g * 3')},
  CASE WHEN g % 29 = 0 THEN 'timeout' WHEN g % 11 = 0 THEN 'failure' ELSE 'success' END,
  80 + (g * 7919) % 9000, 100 + (g * 31) % 8000, 20 + (g * 17) % 2000, round(((g * 13) % 5000) / 1000.0, 4),
  CASE WHEN g % 5 = 0 THEN NULL ELSE ((g * 7) % 1000) / 1000.0 END,
  CASE WHEN g % 29 = 0 THEN 'E_TIMEOUT' WHEN g % 11 = 0 THEN ${PICK(['E_TOOL', 'E_RATE_LIMIT', 'E_PARSE'], 'g')} END,
  ${AT}, CASE WHEN g % 200 = 0 THEN ${AT} END
FROM generate_series($2::bigint, $3::bigint) AS g`,
  credit_consumption: `
INSERT INTO credit_consumption (workspace_id, user_id, agent_id, feature, credits, unit_price_usd, cost_usd, consumed_at, deleted_at)
SELECT $1, ${USER}, CASE WHEN g % 4 = 0 THEN NULL ELSE ${AGENT} END, ${PICK(['chat', 'agents', 'exports', 'api', 'storage'], 'g * 3')},
  round(((g * 19) % 20000) / 1000.0, 4), 0.012500, round((((g * 19) % 20000) / 1000.0) * 0.0125, 6), ${AT},
  CASE WHEN g % 250 = 0 THEN ${AT} END
FROM generate_series($2::bigint, $3::bigint) AS g`,
  error_logs: `
INSERT INTO error_logs (workspace_id, error_id, severity, source, error_code, message, stack_trace, context, user_id, agent_id, resolved, occurred_at, deleted_at)
SELECT $1, md5($1 || ':err:' || g)::uuid, ${PICK(['info', 'warning', 'warning', 'error', 'error', 'critical'], 'g')},
  ${PICK(['api', 'worker', 'agent', 'billing'], 'g * 3')}, ${PICK(['E_TIMEOUT', 'E_TOOL', 'E_RATE_LIMIT', 'E_PARSE', 'E_AUTH'], 'g * 7')},
  'Request ' || g || ' failed: "upstream" returned an error, retry later',
  CASE WHEN g % 3 = 0 THEN NULL ELSE E'Error: failed\\n    at handler (src/app.ts:' || (g % 400) || E':13)\\n    at run (src/worker.ts:88:5)' END,
  jsonb_build_object('attempt', 1 + g % 3, 'region', ${PICK(['us-east-1', 'eu-west-1'], 'g')}),
  CASE WHEN g % 2 = 0 THEN ${USER} END, CASE WHEN g % 3 = 0 THEN ${AGENT} END, g % 4 = 0, ${AT},
  CASE WHEN g % 100 = 0 THEN ${AT} END
FROM generate_series($2::bigint, $3::bigint) AS g`,
};

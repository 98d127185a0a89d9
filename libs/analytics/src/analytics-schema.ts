/**
 * The analytics tables exports read. In production they belong to the analytics platform; here the
 * seeder and tests create them. Every table has `workspace_id`, a timestamp column indexed with it,
 * and `deleted_at` for soft deletes.
 */
export const ANALYTICS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS user_activity (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  text NOT NULL,
  user_id       uuid NOT NULL,
  session_id    uuid,
  action        text NOT NULL,
  resource_type text,
  resource_id   text,
  credits       numeric(14,4) NOT NULL DEFAULT 0,
  duration_ms   integer,
  success       boolean NOT NULL DEFAULT true,
  metadata      jsonb,
  "timestamp"   timestamptz NOT NULL,
  deleted_at    timestamptz
);
CREATE INDEX IF NOT EXISTS user_activity_workspace_time ON user_activity (workspace_id, "timestamp");

CREATE TABLE IF NOT EXISTS user_sessions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id     text NOT NULL,
  session_id       uuid NOT NULL,
  user_id          uuid NOT NULL,
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  duration_seconds integer,
  device           text,
  browser          text,
  country          text,
  pages_viewed     integer NOT NULL DEFAULT 0,
  actions_count    integer NOT NULL DEFAULT 0,
  is_bounce        boolean NOT NULL DEFAULT false,
  deleted_at       timestamptz
);
CREATE INDEX IF NOT EXISTS user_sessions_workspace_time ON user_sessions (workspace_id, started_at);

CREATE TABLE IF NOT EXISTS agent_performance (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id  text NOT NULL,
  agent_id      text NOT NULL,
  run_id        uuid NOT NULL,
  task_type     text NOT NULL,
  status        text NOT NULL,
  latency_ms    integer NOT NULL,
  tokens_input  integer NOT NULL DEFAULT 0,
  tokens_output integer NOT NULL DEFAULT 0,
  credits_used  numeric(14,4) NOT NULL DEFAULT 0,
  quality_score double precision,
  error_code    text,
  recorded_at   timestamptz NOT NULL,
  deleted_at    timestamptz
);
CREATE INDEX IF NOT EXISTS agent_performance_workspace_time ON agent_performance (workspace_id, recorded_at);

CREATE TABLE IF NOT EXISTS credit_consumption (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id   text NOT NULL,
  user_id        uuid NOT NULL,
  agent_id       text,
  feature        text NOT NULL,
  credits        numeric(14,4) NOT NULL,
  unit_price_usd numeric(12,6) NOT NULL,
  cost_usd       numeric(16,6) NOT NULL,
  consumed_at    timestamptz NOT NULL,
  deleted_at     timestamptz
);
CREATE INDEX IF NOT EXISTS credit_consumption_workspace_time ON credit_consumption (workspace_id, consumed_at);

CREATE TABLE IF NOT EXISTS error_logs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id text NOT NULL,
  error_id     uuid NOT NULL,
  severity     text NOT NULL,
  source       text NOT NULL,
  error_code   text NOT NULL,
  message      text NOT NULL,
  stack_trace  text,
  context      jsonb,
  user_id      uuid,
  agent_id     text,
  resolved     boolean NOT NULL DEFAULT false,
  occurred_at  timestamptz NOT NULL,
  deleted_at   timestamptz
);
CREATE INDEX IF NOT EXISTS error_logs_workspace_time ON error_logs (workspace_id, occurred_at);
`;

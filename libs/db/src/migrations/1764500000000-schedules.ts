import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Export templates (a saved export configuration), schedules built on them, and one run row per
 * schedule and period: the unique (schedule_id, period_key) is what makes a schedule fire once per
 * period, however many processes fire it. A run's export id is chosen when the run row is written,
 * so creating its export twice finds the first one instead of making another.
 */
export class Schedules1764500000000 implements MigrationInterface {
  name = 'Schedules1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE export_templates (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES workspaces (id),
        created_by uuid NOT NULL REFERENCES users (id),
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        configuration jsonb NOT NULL,
        sealed_password text,
        is_public boolean NOT NULL DEFAULT false,
        estimated_rows bigint,
        estimated_size_mb double precision,
        estimated_at timestamptz,
        last_used timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE INDEX export_templates_workspace ON export_templates (workspace_id, created_at) WHERE deleted_at IS NULL;

      CREATE TABLE export_schedules (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES workspaces (id),
        created_by uuid NOT NULL REFERENCES users (id),
        template_id text NOT NULL REFERENCES export_templates (id),
        name text NOT NULL,
        frequency text NOT NULL CHECK (frequency IN ('hourly', 'daily', 'weekly', 'monthly', 'cron', 'every_seconds')),
        timing jsonb NOT NULL,
        timezone text NOT NULL DEFAULT 'UTC',
        is_active boolean NOT NULL DEFAULT true,
        next_run timestamptz,
        keep_exports_days integer CHECK (keep_exports_days > 0),
        auto_cleanup boolean NOT NULL DEFAULT false,
        delivery_method text NOT NULL DEFAULT 'download',
        auto_delete_after_days integer CHECK (auto_delete_after_days > 0),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CHECK (is_active OR next_run IS NULL)
      );
      CREATE INDEX export_schedules_workspace ON export_schedules (workspace_id, created_at) WHERE deleted_at IS NULL;
      CREATE INDEX export_schedules_due ON export_schedules (next_run) WHERE deleted_at IS NULL AND is_active;
      CREATE INDEX export_schedules_template ON export_schedules (template_id) WHERE deleted_at IS NULL;

      CREATE TABLE schedule_runs (
        id text PRIMARY KEY,
        schedule_id text NOT NULL REFERENCES export_schedules (id),
        period_key text NOT NULL,
        period_at timestamptz NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'catch_up', 'manual', 'backfill')),
        status text NOT NULL CHECK (status IN ('pending', 'started', 'failed')),
        export_job_id text NOT NULL UNIQUE,
        covered_from timestamptz,
        covered_to timestamptz,
        missed_periods integer NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        error text,
        error_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        UNIQUE (schedule_id, period_key)
      );
      CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id, created_at);
      CREATE INDEX schedule_runs_pending ON schedule_runs (created_at) WHERE status = 'pending';
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE schedule_runs; DROP TABLE export_schedules; DROP TABLE export_templates;`);
  }
}

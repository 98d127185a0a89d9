import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per delivery target of an export, written with the export (so nothing is lost between
 * "export completed" and "delivery queued"), and the workspace's delivery settings: allowed email
 * domains and the sealed webhook signing secret.
 */
export class Deliveries1764300000000 implements MigrationInterface {
  name = 'Deliveries1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE deliveries (
        id text PRIMARY KEY,
        job_id text NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
        workspace_id text NOT NULL,
        position integer NOT NULL,
        method text NOT NULL CHECK (method IN ('download', 'email', 's3', 'sftp', 'ftp', 'webhook')),
        target jsonb NOT NULL,
        sealed_secret text,
        credential_id uuid,
        status text NOT NULL CHECK (status IN ('pending', 'queued', 'delivering', 'delivered', 'failed', 'skipped')),
        event text CHECK (event IN ('export.completed', 'export.failed')),
        round integer NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        attempt_token uuid,
        last_error text,
        last_error_code text,
        location text,
        created_at timestamptz NOT NULL DEFAULT now(),
        queued_at timestamptz,
        started_at timestamptz,
        delivered_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (job_id, position)
      );
      CREATE INDEX deliveries_unfinished ON deliveries (updated_at) WHERE status IN ('pending', 'queued', 'delivering');
      CREATE TABLE workspace_delivery_settings (
        workspace_id text PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
        email_allowed_domains text[] NOT NULL DEFAULT '{}',
        sealed_webhook_secret text,
        webhook_secret_rotated_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE workspace_delivery_settings, deliveries`);
  }
}

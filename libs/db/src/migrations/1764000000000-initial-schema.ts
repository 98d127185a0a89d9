import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Workspaces, users, API keys, export jobs and files, audit log, stored credentials. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE workspaces (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'member')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX users_workspace ON users (workspace_id);
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key_hash text NOT NULL UNIQUE,
        hint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE TABLE export_jobs (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id),
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
        spec jsonb NOT NULL,
        notes jsonb NOT NULL DEFAULT '[]'::jsonb,
        estimated_rows bigint NOT NULL,
        estimated_size_mb double precision NOT NULL,
        estimated_seconds integer NOT NULL,
        total_rows bigint NOT NULL DEFAULT 0,
        rows_processed bigint NOT NULL DEFAULT 0,
        files_created integer NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 0,
        error text,
        password_hash text,
        sealed_password text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX export_jobs_workspace_created ON export_jobs (workspace_id, created_at DESC);
      CREATE INDEX export_jobs_workspace_status ON export_jobs (workspace_id, status);
      CREATE TABLE export_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_id text NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
        file_index integer NOT NULL,
        filename text NOT NULL,
        storage_key text NOT NULL,
        data_source text,
        period text,
        part integer,
        format text NOT NULL,
        compression text NOT NULL,
        encrypted boolean NOT NULL,
        rows bigint NOT NULL,
        bytes bigint NOT NULL,
        sha256 text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (job_id, file_index),
        UNIQUE (job_id, filename)
      );
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id text NOT NULL,
        user_id uuid,
        api_key_hint text,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        ip text,
        user_agent text,
        outcome text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_log_workspace_created ON audit_log (workspace_id, created_at DESC);
      CREATE TABLE workspace_credentials (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('s3', 'sftp', 'ftp', 'smtp', 'webhook')),
        public_config jsonb NOT NULL,
        sealed_secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (workspace_id, name)
      );
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE workspace_credentials, audit_log, export_files, export_jobs, api_keys, users, workspaces`);
  }
}

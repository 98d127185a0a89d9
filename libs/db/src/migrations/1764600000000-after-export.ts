import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an export's life after its files needs (issue 12): the recorded schema and value profile of
 * each source (metadata, conversions, validation read it without opening an encrypted manifest), a
 * log of every file download, validations run as jobs, when an export was cancelled, the analytics
 * database it was read from, and a conversion's source password sealed until its worker has read it.
 */
export class AfterExport1764600000000 implements MigrationInterface {
  name = 'AfterExport1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE export_jobs
        ADD COLUMN cancelled_at timestamptz,
        ADD COLUMN source_database text,
        ADD COLUMN sealed_source_password text;
      CREATE TABLE export_sources (
        job_id text NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
        source_index integer NOT NULL,
        data_source text NOT NULL,
        aggregation text,
        columns jsonb NOT NULL,
        filters_applied jsonb NOT NULL,
        rows bigint NOT NULL,
        files jsonb NOT NULL,
        profile jsonb,
        PRIMARY KEY (job_id, source_index)
      );
      CREATE TABLE export_downloads (
        id bigserial PRIMARY KEY,
        job_id text NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
        file_index integer NOT NULL,
        workspace_id text NOT NULL,
        user_id uuid,
        api_key_hint text,
        via text NOT NULL CHECK (via IN ('api', 'signed_link')),
        ip text,
        user_agent text,
        range_start bigint,
        range_end bigint,
        bytes_sent bigint NOT NULL,
        is_complete boolean NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX export_downloads_file ON export_downloads (job_id, file_index, started_at);
      CREATE TABLE export_validations (
        id text PRIMARY KEY,
        job_id text NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
        workspace_id text NOT NULL,
        user_id uuid NOT NULL,
        validation_type text NOT NULL CHECK (validation_type IN ('checksum', 'schema', 'full')),
        sample_rows integer NOT NULL DEFAULT 0,
        status text NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
        sealed_password text,
        result jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz
      );
      CREATE INDEX export_validations_job ON export_validations (job_id);
      CREATE INDEX export_jobs_cleanup ON export_jobs (workspace_id, created_at) WHERE deleted_at IS NULL;
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP INDEX export_jobs_cleanup;
      DROP TABLE export_validations, export_downloads, export_sources;
      ALTER TABLE export_jobs DROP COLUMN cancelled_at, DROP COLUMN source_database, DROP COLUMN sealed_source_password;
    `);
  }
}

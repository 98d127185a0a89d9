import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per attempt (run) of an export, so each attempt writes under its own storage prefix and the
 * sweep of abandoned files is driven by rows, not by listing storage; `error_code` beside `error`.
 */
export class ExportRuns1764100000000 implements MigrationInterface {
  name = 'ExportRuns1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE export_jobs ADD COLUMN error_code text, ADD COLUMN run_id uuid;
      CREATE TABLE export_runs (
        id uuid PRIMARY KEY,
        job_id text NOT NULL REFERENCES export_jobs (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'abandoned')),
        error_code text,
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        files_swept_at timestamptz
      );
      CREATE INDEX export_runs_job ON export_runs (job_id);
      CREATE INDEX export_runs_unswept ON export_runs (started_at) WHERE files_swept_at IS NULL AND status <> 'completed';
      CREATE INDEX export_files_storage_key ON export_files (storage_key);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE export_runs; DROP INDEX export_files_storage_key; ALTER TABLE export_jobs DROP COLUMN error_code, DROP COLUMN run_id`);
  }
}

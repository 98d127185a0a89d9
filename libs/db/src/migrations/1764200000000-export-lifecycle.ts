import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where an export came from (API, schedule, bulk batch, conversion: its lineage) and how its life ends:
 * a `cancelled` status, an expiry, and deletion that keeps the row (downloads answer 410) while its
 * files are removed; `files_purged_at` records that storage really let go, so a failed removal is retried.
 */
export class ExportLifecycle1764200000000 implements MigrationInterface {
  name = 'ExportLifecycle1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE export_jobs DROP CONSTRAINT export_jobs_status_check;
      ALTER TABLE export_jobs ADD CONSTRAINT export_jobs_status_check CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled'));
      ALTER TABLE export_jobs
        ADD COLUMN origin text NOT NULL DEFAULT 'api' CHECK (origin IN ('api', 'schedule', 'bulk', 'conversion')),
        ADD COLUMN template_id text,
        ADD COLUMN schedule_id text,
        ADD COLUMN batch_id text,
        ADD COLUMN source_job_id text REFERENCES export_jobs (id),
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN deleted_at timestamptz,
        ADD COLUMN deletion_reason text CHECK (deletion_reason IN ('user', 'expired', 'retention', 'cleanup')),
        ADD COLUMN files_purged_at timestamptz;
      UPDATE export_jobs SET expires_at = created_at + interval '30 days';
      CREATE INDEX export_jobs_expiry ON export_jobs (expires_at) WHERE deleted_at IS NULL;
      CREATE INDEX export_jobs_unpurged ON export_jobs (deleted_at) WHERE deleted_at IS NOT NULL AND files_purged_at IS NULL;
      CREATE INDEX export_jobs_schedule ON export_jobs (schedule_id, created_at) WHERE schedule_id IS NOT NULL;
      CREATE INDEX export_jobs_batch ON export_jobs (batch_id) WHERE batch_id IS NOT NULL;
      CREATE INDEX export_jobs_source_job ON export_jobs (source_job_id) WHERE source_job_id IS NOT NULL;
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE export_jobs DROP COLUMN origin, DROP COLUMN template_id, DROP COLUMN schedule_id, DROP COLUMN batch_id, DROP COLUMN source_job_id,
        DROP COLUMN expires_at, DROP COLUMN deleted_at, DROP COLUMN deletion_reason, DROP COLUMN files_purged_at;
      UPDATE export_jobs SET status = 'failed', error = 'cancelled' WHERE status = 'cancelled';
      ALTER TABLE export_jobs DROP CONSTRAINT export_jobs_status_check;
      ALTER TABLE export_jobs ADD CONSTRAINT export_jobs_status_check CHECK (status IN ('queued', 'processing', 'completed', 'failed'));
    `);
  }
}

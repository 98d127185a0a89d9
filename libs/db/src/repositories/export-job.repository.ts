import type { DataSource, EntityManager } from 'typeorm';
import {
  FINISHED_STATUSES,
  type ColumnSchema,
  type DataSourceType,
  type DeletionReason,
  type ExportOrigin,
  type ExportSpec,
  type Role,
  type SourceProfile,
  type StoredFile,
} from '@export-service/contracts';
import type { JobFailure } from '@export-service/errors';
import { ExportFileEntity } from '../entities/export-file.entity';
import { ExportJobEntity } from '../entities/export-job.entity';
import { insertDeliveries, type NewDelivery } from './delivery.repository';
import { returned, trimError } from './sql-results';

/** What creating an export writes. */
export interface NewExportJob {
  id: string;
  workspaceId: string;
  userId: string;
  name: string;
  spec: ExportSpec;
  notes: string[];
  estimatedRows: number;
  estimatedSizeMb: number;
  estimatedSeconds: number;
  passwordHash: string | null;
  sealedPassword: string | null;
  /** When the files stop being served (the maintenance job then deletes them). */
  expiresAt: Date;
  lineage: ExportLineage;
  /** A conversion's source password, sealed to the new job's id. */
  sealedSourcePassword?: string | null;
}

/** What a completed export recorded about each source, and where its rows came from. */
export interface CompletedRecord {
  sources: RecordedSource[];
  /** The analytics database's name (no host, no credentials). */
  sourceDatabase: string | null;
}

/** Where an export came from: what created it and the template, schedule, batch or source export behind it. */
export interface ExportLineage {
  origin: ExportOrigin;
  templateId?: string | null;
  scheduleId?: string | null;
  batchId?: string | null;
  sourceJobId?: string | null;
}

/** An export and its workspace: where its files sit in storage. */
export interface ExportRef {
  id: string;
  workspaceId: string;
}

/** What an export recorded about one data source: schema, lineage, rows, its files, and its value profile. */
export interface RecordedSource {
  dataSource: DataSourceType;
  aggregation: string | null;
  columns: ColumnSchema[];
  filtersApplied: string[];
  rows: number;
  /** Names of the files holding its rows. */
  files: string[];
  profile: SourceProfile | null;
}

/** An export a cleanup would delete. */
export interface CleanupCandidate {
  id: string;
  workspaceId: string;
  name: string;
  status: string;
  createdAt: Date;
  scheduleId: string | null;
  /** Bytes its recorded files take. */
  bytes: number;
  files: number;
}

/** Who asks to see a job: members see their own exports, admins and viewers the whole workspace. */
export interface JobViewer {
  workspaceId: string;
  userId: string;
  role: Role;
}

/** An attempt whose files nobody will serve, and where they are. */
export interface AbandonedRun {
  runId: string;
  jobId: string;
  workspaceId: string;
}

/**
 * The export job row as a state machine: queued → processing → completed | failed, with
 * processing → queued for a retry. Every transition is one conditional UPDATE, so a late or
 * duplicate worker cannot move a finished job; an attempt's transitions also name its run id, so
 * an attempt that lost the job (its lock lapsed and another attempt started) cannot move it either.
 */
export class ExportJobRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts a queued job unless its workspace already has `maxActive` queued or running ones (null
   * then). A per-workspace advisory lock makes the count and the insert one step, so 20 creates at
   * once cannot all slip under the limit. A job whose id exists already is returned as it is; an
   * export made from a template notes the template's `last_used`.
   */
  async create(job: NewExportJob, maxActive: number, deliveries: NewDelivery[] = []): Promise<ExportJobEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('export_jobs:' || $1, 0))`, [job.workspaceId]);
      // An id chosen beforehand (a schedule run's) is created once: a second create returns the first export.
      const existing = await manager.getRepository(ExportJobEntity).findOneBy({ id: job.id });
      if (existing) return existing;
      const [active] = (await manager.query(`SELECT count(*)::int AS n FROM export_jobs WHERE workspace_id = $1 AND status IN ('queued', 'processing')`, [
        job.workspaceId,
      ])) as Array<{ n: number }>;
      if ((active?.n ?? 0) >= maxActive) return null;
      const { lineage, ...columns } = job;
      if (lineage.templateId) await manager.query(`UPDATE export_templates SET last_used = now() WHERE id = $1`, [lineage.templateId]);
      const saved = await manager.getRepository(ExportJobEntity).save({
        ...columns,
        origin: lineage.origin,
        templateId: lineage.templateId ?? null,
        scheduleId: lineage.scheduleId ?? null,
        batchId: lineage.batchId ?? null,
        sourceJobId: lineage.sourceJobId ?? null,
        status: 'queued',
        error: null,
        errorCode: null,
        runId: null,
        startedAt: null,
        completedAt: null,
        deletedAt: null,
        deletionReason: null,
        filesPurgedAt: null,
        cancelledAt: null,
        sourceDatabase: null,
        sealedSourcePassword: job.sealedSourcePassword ?? null,
      });
      // With the export, in its transaction: a delivery can never be lost between "completed" and "queued".
      await insertDeliveries(manager, job.id, job.workspaceId, deliveries);
      return saved;
    });
  }

  /**
   * A job the viewer may see, or null: an admin sees the workspace's jobs, a member only the ones it
   * created; another workspace's job is as good as missing.
   */
  findVisible(id: string, viewer: JobViewer): Promise<ExportJobEntity | null> {
    const where = viewer.role !== 'member' ? { id, workspaceId: viewer.workspaceId } : { id, workspaceId: viewer.workspaceId, userId: viewer.userId };
    return this.dataSource.getRepository(ExportJobEntity).findOneBy(where);
  }

  findById(id: string): Promise<ExportJobEntity | null> {
    return this.dataSource.getRepository(ExportJobEntity).findOneBy({ id });
  }

  /**
   * Starts an attempt: a new run id owns the job from now on (an earlier attempt still running is
   * marked abandoned). Null when the job is already finished.
   */
  async markProcessing(id: string, attempt: number): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `UPDATE export_jobs SET status = 'processing', attempts = $2, started_at = now(), updated_at = now(), rows_processed = 0, files_created = 0,
           run_id = gen_random_uuid()
         WHERE id = $1 AND status IN ('queued', 'processing') RETURNING run_id`,
        [id, attempt],
      )) as unknown;
      const runId = (returned(rows)[0] as { run_id?: string } | undefined)?.run_id;
      if (!runId) return null;
      await manager.query(`UPDATE export_runs SET status = 'abandoned', ended_at = now() WHERE job_id = $1 AND status = 'running'`, [id]);
      await manager.query(`INSERT INTO export_runs (id, job_id, attempt, status) VALUES ($1, $2, $3, 'running')`, [runId, id, attempt]);
      return runId;
    });
  }

  /** Records the exact total once the worker has counted it. */
  async setTotalRows(id: string, totalRows: number): Promise<void> {
    await this.dataSource.getRepository(ExportJobEntity).update({ id }, { totalRows });
  }

  /** Back to the queue after a transient failure of this attempt; the error stays visible as the last one. */
  async markRetrying(id: string, runId: string, failure: JobFailure): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const isMoved = await transition(manager, id, ['processing', 'queued'], { status: 'queued', error: trimError(failure.message), error_code: failure.code }, runId);
      if (isMoved) await endRun(manager, runId, 'failed', failure.code);
      return isMoved;
    });
  }

  /**
   * Completes this attempt's job with its files (and what it recorded of each source) in one
   * transaction, and forgets the sealed passwords. Refused once the job was cancelled: a cancel
   * racing a completion leaves exactly one of the two.
   */
  async complete(id: string, runId: string, files: StoredFile[], totalRows: number, record?: CompletedRecord): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const updated = await manager.query(
        `UPDATE export_jobs SET status = 'completed', completed_at = now(), updated_at = now(), error = NULL, error_code = NULL, sealed_password = NULL,
           sealed_source_password = NULL, total_rows = $2, rows_processed = $2, files_created = $3, source_database = $5
         WHERE id = $1 AND status = 'processing' AND run_id = $4 RETURNING id`,
        [id, totalRows, files.length, runId, record?.sourceDatabase ?? null],
      );
      if (returned(updated).length === 0) return false;
      if (record) await recordSources(manager, id, record.sources);
      await endRun(manager, runId, 'completed', null);
      await manager.getRepository(ExportFileEntity).delete({ jobId: id });
      await manager.getRepository(ExportFileEntity).insert(
        files.map((file, index) => ({
          jobId: id,
          fileIndex: index,
          filename: file.filename,
          storageKey: file.storageKey,
          dataSource: file.kind === 'data' ? file.dataSource : null,
          period: file.kind === 'data' ? file.period : null,
          part: file.kind === 'data' ? file.part : null,
          format: file.format,
          compression: file.compression,
          encrypted: file.encrypted,
          rows: file.rows,
          bytes: file.bytes,
          sha256: file.sha256,
        })),
      );
      return true;
    });
  }

  /**
   * Fails a job for good with a readable error, and forgets the sealed password. With `runId`, only
   * while that attempt owns the job; without, whoever gives up on it from outside (the queue).
   */
  async fail(id: string, failure: JobFailure, runId?: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const changes = { status: 'failed', error: trimError(failure.message), error_code: failure.code, completed_at: 'now()', sealed_password: null, sealed_source_password: null };
      const isMoved = await transition(manager, id, ['queued', 'processing'], changes, runId);
      if (isMoved) await manager.query(`UPDATE export_runs SET status = 'failed', error_code = $2, ended_at = now() WHERE job_id = $1 AND status = 'running'`, [id, failure.code]);
      return isMoved;
    });
  }

  /** Attempts whose files will never be served (failed, abandoned, or of a finished job), started before the cutoff. */
  async abandonedRuns(startedBefore: Date, options: { limit?: number; jobId?: string } = {}): Promise<AbandonedRun[]> {
    const rows = (await this.dataSource.query(
      `SELECT r.id AS "runId", r.job_id AS "jobId", j.workspace_id AS "workspaceId"
         FROM export_runs r JOIN export_jobs j ON j.id = r.job_id
        WHERE r.files_swept_at IS NULL AND r.status <> 'completed' AND r.started_at < $1
          AND (r.status <> 'running' OR j.status IN ('completed', 'failed', 'cancelled') OR j.run_id IS DISTINCT FROM r.id)
          AND ($3::text IS NULL OR r.job_id = $3)
        ORDER BY r.started_at LIMIT $2`,
      [startedBefore, options.limit ?? 500, options.jobId ?? null],
    )) as AbandonedRun[];
    return rows;
  }

  /** Jobs still queued or running whose row has not moved since the cutoff, a page at a time by id (after `afterId`). */
  async unfinishedSince(updatedBefore: Date, options: { afterId?: string; limit?: number } = {}): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT id FROM export_jobs WHERE status IN ('queued', 'processing') AND updated_at < $1 AND id > $2 ORDER BY id LIMIT $3`, [
      updatedBefore,
      options.afterId ?? '',
      options.limit ?? 500,
    ])) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  /** Notes that an attempt's files are gone. */
  async markRunSwept(runId: string): Promise<void> {
    await this.dataSource.query(`UPDATE export_runs SET files_swept_at = now(), status = CASE WHEN status = 'running' THEN 'abandoned' ELSE status END WHERE id = $1`, [runId]);
  }

  /**
   * Marks a finished export deleted (the row stays, so status and metadata still answer, and downloads
   * answer 410 from this moment) and returns its recorded files; null when it is still queued or
   * running, or was deleted already. The files themselves are removed by the caller afterwards.
   */
  async markDeleted(id: string, reason: DeletionReason): Promise<ExportFileEntity[] | null> {
    // Expiry only deletes what is still expired: an extension that landed meanwhile wins.
    const updated = await this.dataSource.query(
      `UPDATE export_jobs SET deleted_at = now(), deletion_reason = $2, sealed_password = NULL, sealed_source_password = NULL, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND status = ANY($3) AND ($2 <> 'expired' OR expires_at <= now()) RETURNING id`,
      [id, reason, FINISHED_STATUSES],
    );
    if (returned(updated).length === 0) return null;
    return this.listFiles(id);
  }

  /** Every attempt (run) id of a job: each one's files sit under its own storage prefix. */
  async runIds(jobId: string): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT id FROM export_runs WHERE job_id = $1`, [jobId])) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  /** Notes that storage let go of every file of a deleted export (and of all its attempts). */
  async markFilesPurged(id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE export_jobs SET files_purged_at = now() WHERE id = $1 AND deleted_at IS NOT NULL`, [id]);
      await manager.query(`UPDATE export_runs SET files_swept_at = now() WHERE job_id = $1 AND files_swept_at IS NULL`, [id]);
    });
  }

  /** Finished exports whose expiry has passed and that are not deleted yet, oldest expiry first. */
  async expiredBefore(now: Date, limit = 500): Promise<ExportRef[]> {
    return (await this.dataSource.query(
      `SELECT id, workspace_id AS "workspaceId" FROM export_jobs WHERE deleted_at IS NULL AND expires_at <= $1 AND status = ANY($3) ORDER BY expires_at LIMIT $2`,
      [now, limit, FINISHED_STATUSES],
    )) as ExportRef[];
  }

  /** Deleted exports whose files were not all removed yet (storage failed), deleted before the cutoff. */
  async unpurgedBefore(cutoff: Date, limit = 500): Promise<ExportRef[]> {
    return (await this.dataSource.query(
      `SELECT id, workspace_id AS "workspaceId" FROM export_jobs WHERE deleted_at IS NOT NULL AND files_purged_at IS NULL AND deleted_at < $1 ORDER BY deleted_at LIMIT $2`,
      [cutoff, limit],
    )) as ExportRef[];
  }

  /**
   * Cancels a queued or running export: one conditional UPDATE, so a cancel racing the worker's
   * completion leaves exactly one of the two. Returns the status it had and the attempt that was
   * running (which stops and removes its files), or null when it was no longer queued or running.
   */
  async cancel(id: string): Promise<{ previous: 'queued' | 'processing'; runId: string | null } | null> {
    const rows = (await this.dataSource.query(
      `WITH before AS (SELECT id, status, run_id FROM export_jobs WHERE id = $1 AND status IN ('queued', 'processing') FOR UPDATE)
       UPDATE export_jobs j SET status = 'cancelled', cancelled_at = now(), completed_at = now(), updated_at = now(), sealed_password = NULL, sealed_source_password = NULL
         FROM before WHERE j.id = before.id RETURNING before.status AS previous, before.run_id AS "runId"`,
      [id],
    )) as unknown;
    const row = returned(rows)[0] as { previous: 'queued' | 'processing'; runId: string | null } | undefined;
    return row ?? null;
  }

  /** True once an export was cancelled (a running attempt asks this while it works). */
  async isCancelled(id: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM export_jobs WHERE id = $1 AND status = 'cancelled'`, [id])) as unknown[];
    return rows.length > 0;
  }

  /** Ends the attempt a cancel stopped; it removed its own files on the way out. */
  async endCancelledRun(runId: string): Promise<void> {
    await this.dataSource.query(`UPDATE export_runs SET status = 'abandoned', error_code = 'cancelled', ended_at = now(), files_swept_at = now() WHERE id = $1`, [runId]);
  }

  /**
   * Moves an export's expiry `days` later (from now, when it has passed), unless it was deleted or the
   * new expiry would be more than `maxDays` after the export was created. Null when refused.
   */
  async extendExpiry(id: string, days: number, maxDays: number): Promise<{ expiresAt: Date; previous: Date | null } | null> {
    const rows = (await this.dataSource.query(
      `WITH before AS (SELECT id, expires_at FROM export_jobs WHERE id = $1 FOR UPDATE)
       UPDATE export_jobs j SET expires_at = greatest(before.expires_at, now()) + $2 * interval '1 day', updated_at = now()
         FROM before WHERE j.id = before.id AND j.deleted_at IS NULL AND greatest(before.expires_at, now()) + $2 * interval '1 day' <= j.created_at + $3 * interval '1 day'
       RETURNING j.expires_at AS "expiresAt", before.expires_at AS previous`,
      [id, days, maxDays],
    )) as unknown;
    const row = returned(rows)[0] as { expiresAt: Date; previous: Date | null } | undefined;
    return row ?? null;
  }

  /**
   * Finished, undeleted exports of a workspace created before the cutoff, oldest first, with the
   * bytes their files take; scheduled ones left out when `keepScheduled`.
   */
  async cleanupCandidates(workspaceId: string, createdBefore: Date, keepScheduled: boolean, limit: number): Promise<CleanupCandidate[]> {
    const rows = (await this.dataSource.query(
      `SELECT j.id, j.workspace_id AS "workspaceId", j.name, j.status, j.created_at AS "createdAt", j.schedule_id AS "scheduleId", COALESCE(sum(f.bytes), 0)::bigint AS bytes, count(f.id)::int AS files
         FROM export_jobs j LEFT JOIN export_files f ON f.job_id = j.id
        WHERE j.workspace_id = $1 AND j.deleted_at IS NULL AND j.status = ANY($2) AND j.created_at < $3 AND (NOT $4 OR j.schedule_id IS NULL)
        GROUP BY j.id ORDER BY j.created_at, j.id LIMIT $5`,
      [workspaceId, FINISHED_STATUSES, createdBefore, keepScheduled, limit],
    )) as Array<CleanupCandidate & { bytes: string }>;
    return rows.map((row) => ({ ...row, bytes: Number(row.bytes) }));
  }

  /** How many exports of a workspace older than the cutoff a cleanup leaves alone: scheduled ones (when kept) and unfinished ones. */
  async cleanupSkipped(workspaceId: string, createdBefore: Date, keepScheduled: boolean): Promise<{ scheduled: number; unfinished: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE $3 AND schedule_id IS NOT NULL AND status = ANY($4))::int AS scheduled, count(*) FILTER (WHERE status IN ('queued', 'processing'))::int AS unfinished
         FROM export_jobs WHERE workspace_id = $1 AND deleted_at IS NULL AND created_at < $2`,
      [workspaceId, createdBefore, keepScheduled, FINISHED_STATUSES],
    )) as Array<{ scheduled: number; unfinished: number }>;
    return row ?? { scheduled: 0, unfinished: 0 };
  }

  /** What a completed export recorded about each of its sources, in spec order (empty for exports from before it was recorded). */
  async recordedSources(jobId: string): Promise<RecordedSource[]> {
    const rows = (await this.dataSource.query(
      `SELECT data_source AS "dataSource", aggregation, columns, filters_applied AS "filtersApplied", rows, files, profile FROM export_sources WHERE job_id = $1 ORDER BY source_index`,
      [jobId],
    )) as Array<RecordedSource & { rows: string }>;
    return rows.map((row) => ({ ...row, rows: Number(row.rows) }));
  }

  /** Files of a completed job, in download order. */
  listFiles(jobId: string): Promise<ExportFileEntity[]> {
    return this.dataSource.getRepository(ExportFileEntity).find({ where: { jobId }, order: { fileIndex: 'ASC' } });
  }

  findFile(jobId: string, fileIndex: number): Promise<ExportFileEntity | null> {
    return this.dataSource.getRepository(ExportFileEntity).findOneBy({ jobId, fileIndex });
  }

  /** A completed job's file by its storage key (signed links name the key), with the job's workspace. */
  async findServedFile(storageKey: string): Promise<ExportFileEntity | null> {
    return this.dataSource
      .getRepository(ExportFileEntity)
      .createQueryBuilder('file')
      .innerJoin(ExportJobEntity, 'job', 'job.id = file.job_id')
      .where('file.storage_key = :storageKey AND job.status = :status AND job.deleted_at IS NULL AND (job.expires_at IS NULL OR job.expires_at > now())', {
        storageKey,
        status: 'completed',
      })
      .getOne();
  }
}

async function recordSources(manager: EntityManager, jobId: string, sources: RecordedSource[]): Promise<void> {
  await manager.query(`DELETE FROM export_sources WHERE job_id = $1`, [jobId]);
  for (const [index, source] of sources.entries()) {
    await manager.query(
      `INSERT INTO export_sources (job_id, source_index, data_source, aggregation, columns, filters_applied, rows, files, profile) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        jobId,
        index,
        source.dataSource,
        source.aggregation,
        JSON.stringify(source.columns),
        JSON.stringify(source.filtersApplied),
        source.rows,
        JSON.stringify(source.files),
        source.profile ? JSON.stringify(source.profile) : null,
      ],
    );
  }
}

/** One conditional UPDATE of a job's status (and its run, when given); true when it moved. */
async function transition(manager: EntityManager, id: string, from: string[], changes: Record<string, string | number | null>, runId?: string): Promise<boolean> {
  const assignments: string[] = ['updated_at = now()'];
  const values: unknown[] = [id, from];
  for (const [column, value] of Object.entries(changes)) {
    if (value === 'now()') assignments.push(`${column} = now()`);
    else {
      values.push(value);
      assignments.push(`${column} = $${values.length}`);
    }
  }
  let condition = 'id = $1 AND status = ANY($2)';
  if (runId !== undefined) {
    values.push(runId);
    condition += ` AND run_id = $${values.length}`;
  }
  const result = await manager.query(`UPDATE export_jobs SET ${assignments.join(', ')} WHERE ${condition} RETURNING id`, values);
  return returned(result).length > 0;
}

async function endRun(manager: EntityManager, runId: string, status: 'completed' | 'failed', errorCode: string | null): Promise<void> {
  await manager.query(`UPDATE export_runs SET status = $2, error_code = $3, ended_at = now() WHERE id = $1`, [runId, status, errorCode]);
}

import type { DataSource, EntityManager } from 'typeorm';
import type { ExportSpec, Role, StoredFile } from '@export-service/contracts';
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
}

/** Who asks to see a job: members see their own exports, admins the whole workspace. */
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
   * once cannot all slip under the limit.
   */
  async create(job: NewExportJob, maxActive: number, deliveries: NewDelivery[] = []): Promise<ExportJobEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('export_jobs:' || $1, 0))`, [job.workspaceId]);
      const [active] = (await manager.query(`SELECT count(*)::int AS n FROM export_jobs WHERE workspace_id = $1 AND status IN ('queued', 'processing')`, [
        job.workspaceId,
      ])) as Array<{ n: number }>;
      if ((active?.n ?? 0) >= maxActive) return null;
      const saved = await manager.getRepository(ExportJobEntity).save({ ...job, status: 'queued', error: null, errorCode: null, runId: null, startedAt: null, completedAt: null });
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
    const where = viewer.role === 'admin' ? { id, workspaceId: viewer.workspaceId } : { id, workspaceId: viewer.workspaceId, userId: viewer.userId };
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

  /** Completes this attempt's job with its files in one transaction, and forgets the sealed password. */
  async complete(id: string, runId: string, files: StoredFile[], totalRows: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const updated = await manager.query(
        `UPDATE export_jobs SET status = 'completed', completed_at = now(), updated_at = now(), error = NULL, error_code = NULL, sealed_password = NULL,
           total_rows = $2, rows_processed = $2, files_created = $3
         WHERE id = $1 AND status = 'processing' AND run_id = $4 RETURNING id`,
        [id, totalRows, files.length, runId],
      );
      if (returned(updated).length === 0) return false;
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
      const changes = { status: 'failed', error: trimError(failure.message), error_code: failure.code, completed_at: 'now()', sealed_password: null };
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
          AND (r.status <> 'running' OR j.status IN ('completed', 'failed') OR j.run_id IS DISTINCT FROM r.id)
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
      .where('file.storage_key = :storageKey AND job.status = :status', { storageKey, status: 'completed' })
      .getOne();
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

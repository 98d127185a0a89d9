import type { DataSource } from 'typeorm';
import type { ExportFileInfo, ExportSpec } from '@export-service/contracts';
import { ExportFileEntity } from '../entities/export-file.entity';
import { ExportJobEntity } from '../entities/export-job.entity';

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

const MAX_ERROR_LENGTH = 1_000;

/**
 * The export job row as a state machine: queued → processing → completed | failed, with
 * processing → queued for a retry. Every transition is one conditional UPDATE, so a late or
 * duplicate worker cannot move a finished job.
 */
export class ExportJobRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(job: NewExportJob): Promise<ExportJobEntity> {
    return this.dataSource.getRepository(ExportJobEntity).save({ ...job, status: 'queued', error: null, startedAt: null, completedAt: null });
  }

  /** A job of the workspace, or null (another workspace's job is as good as missing). */
  findInWorkspace(id: string, workspaceId: string): Promise<ExportJobEntity | null> {
    return this.dataSource.getRepository(ExportJobEntity).findOneBy({ id, workspaceId });
  }

  findById(id: string): Promise<ExportJobEntity | null> {
    return this.dataSource.getRepository(ExportJobEntity).findOneBy({ id });
  }

  /** Starts (or restarts) a job; false when it is already finished. */
  async markProcessing(id: string, attempt: number): Promise<boolean> {
    return this.transition(id, ['queued', 'processing'], {
      status: 'processing',
      attempts: attempt,
      started_at: 'now()',
      rows_processed: 0,
      files_created: 0,
    });
  }

  /** Records the exact total once the worker has counted it. */
  async setTotalRows(id: string, totalRows: number): Promise<void> {
    await this.dataSource.getRepository(ExportJobEntity).update({ id }, { totalRows });
  }

  /** Back to the queue after a transient failure; the error stays visible as the last one. */
  async markRetrying(id: string, error: string): Promise<boolean> {
    return this.transition(id, ['processing', 'queued'], { status: 'queued', error: trim(error) });
  }

  /** Completes a job with its files in one transaction, and forgets the sealed password. */
  async complete(id: string, files: ExportFileInfo[], totalRows: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const updated = await manager.query(
        `UPDATE export_jobs SET status = 'completed', completed_at = now(), updated_at = now(), error = NULL, sealed_password = NULL,
           total_rows = $2, rows_processed = $2, files_created = $3
         WHERE id = $1 AND status = 'processing' RETURNING id`,
        [id, totalRows, files.length],
      );
      if (updatedRows(updated) === 0) return false;
      await manager.getRepository(ExportFileEntity).delete({ jobId: id });
      await manager.getRepository(ExportFileEntity).insert(
        files.map((file, index) => ({
          jobId: id,
          fileIndex: index,
          filename: file.filename,
          storageKey: file.storageKey,
          dataSource: file.dataSource,
          period: file.period,
          part: file.part,
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

  /** Fails a job for good with a readable error, and forgets the sealed password. */
  async fail(id: string, error: string): Promise<boolean> {
    return this.transition(id, ['queued', 'processing'], { status: 'failed', error: trim(error), completed_at: 'now()', sealed_password: null });
  }

  /** Files of a completed job, in download order. */
  listFiles(jobId: string): Promise<ExportFileEntity[]> {
    return this.dataSource.getRepository(ExportFileEntity).find({ where: { jobId }, order: { fileIndex: 'ASC' } });
  }

  findFile(jobId: string, fileIndex: number): Promise<ExportFileEntity | null> {
    return this.dataSource.getRepository(ExportFileEntity).findOneBy({ jobId, fileIndex });
  }

  private async transition(id: string, from: string[], changes: Record<string, string | number | null>): Promise<boolean> {
    const assignments: string[] = ['updated_at = now()'];
    const values: unknown[] = [id, from];
    for (const [column, value] of Object.entries(changes)) {
      if (value === 'now()') assignments.push(`${column} = now()`);
      else {
        values.push(value);
        assignments.push(`${column} = $${values.length}`);
      }
    }
    const result = await this.dataSource.query(`UPDATE export_jobs SET ${assignments.join(', ')} WHERE id = $1 AND status = ANY($2) RETURNING id`, values);
    return updatedRows(result) > 0;
  }
}

function trim(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}

/** TypeORM's raw UPDATE ... RETURNING result is `[rows, count]` on PostgreSQL. */
function updatedRows(result: unknown): number {
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0].length;
  if (Array.isArray(result)) return result.length;
  return 0;
}

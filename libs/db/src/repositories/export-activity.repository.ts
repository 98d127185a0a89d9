import type { DataSource } from 'typeorm';

/** One download of one file, as the download handler or the signed-link route saw it. */
export interface DownloadRecord {
  jobId: string;
  fileIndex: number;
  workspaceId: string;
  userId: string | null;
  apiKeyHint: string | null;
  via: 'api' | 'signed_link';
  ip: string | null;
  userAgent: string | null;
  /** The byte range asked for (inclusive), or null for the whole file. */
  range: { start: number; end: number } | null;
  /** Bytes written to the client (less than asked when it hung up). */
  bytesSent: number;
  isComplete: boolean;
  startedAt: Date;
}

/** A recorded download, as metadata lists it. */
export interface DownloadEntry extends Omit<DownloadRecord, 'workspaceId'> {
  finishedAt: Date;
}

/** Validation types of POST /export/validate. */
export type ValidationType = 'checksum' | 'schema' | 'full';

/** A validation run as a job (an export too large to validate within the request). */
export interface ValidationRow {
  id: string;
  jobId: string;
  workspaceId: string;
  userId: string;
  validationType: ValidationType;
  sampleRows: number;
  status: 'queued' | 'processing' | 'completed' | 'failed';
  sealedPassword: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

const VALIDATION_COLUMNS = `id, job_id AS "jobId", workspace_id AS "workspaceId", user_id AS "userId", validation_type AS "validationType", sample_rows AS "sampleRows",
  status, sealed_password AS "sealedPassword", result, error, created_at AS "createdAt", started_at AS "startedAt", completed_at AS "completedAt"`;

/** The download log and validation jobs of exports. */
export class ExportActivityRepository {
  constructor(private readonly dataSource: DataSource) {}

  async recordDownload(record: DownloadRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO export_downloads (job_id, file_index, workspace_id, user_id, api_key_hint, via, ip, user_agent, range_start, range_end, bytes_sent, is_complete, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        record.jobId,
        record.fileIndex,
        record.workspaceId,
        record.userId,
        record.apiKeyHint,
        record.via,
        record.ip,
        record.userAgent,
        record.range?.start ?? null,
        record.range?.end ?? null,
        record.bytesSent,
        record.isComplete,
        record.startedAt,
      ],
    );
  }

  /** Every download of a job's files, oldest first, at most `limit` per file. */
  async downloadsOf(jobId: string, limit = 100): Promise<DownloadEntry[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM (
         SELECT job_id AS "jobId", file_index AS "fileIndex", user_id AS "userId", api_key_hint AS "apiKeyHint", via, ip, user_agent AS "userAgent",
                range_start AS "rangeStart", range_end AS "rangeEnd", bytes_sent AS "bytesSent", is_complete AS "isComplete", started_at AS "startedAt", finished_at AS "finishedAt",
                row_number() OVER (PARTITION BY file_index ORDER BY started_at DESC, id DESC) AS n
           FROM export_downloads WHERE job_id = $1) d
        WHERE n <= $2 ORDER BY "fileIndex", "startedAt"`,
      [jobId, limit],
    )) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      jobId: String(row.jobId),
      fileIndex: Number(row.fileIndex),
      userId: (row.userId as string | null) ?? null,
      apiKeyHint: (row.apiKeyHint as string | null) ?? null,
      via: row.via as 'api' | 'signed_link',
      ip: (row.ip as string | null) ?? null,
      userAgent: (row.userAgent as string | null) ?? null,
      range: row.rangeStart === null ? null : { start: Number(row.rangeStart), end: Number(row.rangeEnd) },
      bytesSent: Number(row.bytesSent),
      isComplete: Boolean(row.isComplete),
      startedAt: row.startedAt as Date,
      finishedAt: row.finishedAt as Date,
    }));
  }

  async createValidation(row: Pick<ValidationRow, 'id' | 'jobId' | 'workspaceId' | 'userId' | 'validationType' | 'sampleRows' | 'sealedPassword'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO export_validations (id, job_id, workspace_id, user_id, validation_type, sample_rows, status, sealed_password) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7)`,
      [row.id, row.jobId, row.workspaceId, row.userId, row.validationType, row.sampleRows, row.sealedPassword],
    );
  }

  /** A validation the viewer may see: its own workspace's, and for members their own. */
  async findValidation(id: string, viewer: { workspaceId: string; userId: string; role: string }): Promise<ValidationRow | null> {
    const rows = (await this.dataSource.query(`SELECT ${VALIDATION_COLUMNS} FROM export_validations WHERE id = $1 AND workspace_id = $2 AND ($3 = 'admin' OR user_id = $4)`, [
      id,
      viewer.workspaceId,
      viewer.role,
      viewer.userId,
    ])) as ValidationRow[];
    return rows[0] ?? null;
  }

  /** Starts a queued validation (or restarts one whose worker died); null when it is finished. */
  async startValidation(id: string): Promise<ValidationRow | null> {
    const rows = (await this.dataSource.query(
      `UPDATE export_validations SET status = 'processing', started_at = now() WHERE id = $1 AND status IN ('queued', 'processing') RETURNING ${VALIDATION_COLUMNS}`,
      [id],
    )) as unknown;
    return ((Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : rows) as ValidationRow[])[0] ?? null;
  }

  /** Records the result (or the error) and forgets the sealed password. */
  async finishValidation(id: string, outcome: { result: Record<string, unknown> } | { error: string }): Promise<void> {
    await this.dataSource.query(
      `UPDATE export_validations SET status = $2, result = $3, error = $4, sealed_password = NULL, completed_at = now() WHERE id = $1 AND status IN ('queued', 'processing')`,
      [id, 'result' in outcome ? 'completed' : 'failed', 'result' in outcome ? JSON.stringify(outcome.result) : null, 'error' in outcome ? outcome.error.slice(0, 1000) : null],
    );
  }
}

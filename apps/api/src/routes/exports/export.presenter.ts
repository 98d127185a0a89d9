import { BYTES_PER_MB, type ExportProgress } from '@export-service/contracts';
import type { ExportFileEntity, ExportJobEntity } from '@export-service/db';
import type { ExportEstimate } from '@export-service/analytics';

function megabytes(bytes: number): number {
  return Math.round((bytes / BYTES_PER_MB) * 1000) / 1000;
}

/** The create answer of the spec, plus the generated password (shown this once) and notes. */
export function presentCreated(job: ExportJobEntity, estimate: ExportEstimate, generatedPassword: string | null) {
  return {
    job_id: job.id,
    status: job.status,
    estimated_size_mb: estimate.sizeMb,
    estimated_time_seconds: estimate.timeSeconds,
    estimated_rows: estimate.rows,
    tracking_url: `/api/v1/export/status/${job.id}`,
    ...(generatedPassword
      ? { password: generatedPassword, password_notice: 'Store this password now: it is shown only once and is needed to open (and download) the files.' }
      : {}),
    notes: job.notes,
  };
}

/** The status answer of the spec: progress always, files once completed, the error once failed. */
export function presentStatus(job: ExportJobEntity, progress: ExportProgress, files: ExportFileEntity[]) {
  return {
    job_id: job.id,
    status: job.status,
    name: job.name,
    format: job.spec.format,
    compression: job.spec.compression,
    progress,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    completed_at: job.completedAt?.toISOString() ?? null,
    files: job.status === 'completed' ? files.map((file) => presentFile(job.id, file)) : null,
    error: job.status === 'failed' ? job.error : null,
    error_code: job.status === 'failed' ? job.errorCode : null,
    last_error: job.status === 'queued' || job.status === 'processing' ? job.error : null,
    last_error_code: job.status === 'queued' || job.status === 'processing' ? job.errorCode : null,
    attempts: job.attempts,
    password_protected: job.spec.encryption.passwordProtected,
    encryption: { enabled: job.spec.encryption.enabled, container: job.spec.encryption.container },
    notes: job.notes,
  };
}

function presentFile(jobId: string, file: ExportFileEntity) {
  return {
    filename: file.filename,
    size_mb: megabytes(file.bytes),
    bytes: file.bytes,
    rows: file.rows,
    download_url: `/api/v1/export/download/${jobId}/${file.fileIndex}`,
    checksum: `sha256:${file.sha256}`,
    data_source: file.dataSource,
    period: file.period,
    part: file.part,
    format: file.format,
    compression: file.compression,
    encrypted: file.encrypted,
  };
}

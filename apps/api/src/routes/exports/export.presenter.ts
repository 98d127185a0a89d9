import type { ExportProgress } from '@export-service/contracts';
import type { ExportFileEntity, ExportJobEntity } from '@export-service/db';
import type { ExportEstimate } from '@export-service/analytics';
import { fileAvailability, toMegabytes, type DeletedFiles } from '@export-service/exports';

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
    expires_at: job.expiresAt?.toISOString() ?? null,
    files_available: job.status === 'completed' && fileAvailability(job) === 'available',
    deleted_at: job.deletedAt?.toISOString() ?? null,
    deletion_reason: job.deletionReason,
    lineage: presentLineage(job),
  };
}

/** What created the export, and the template, schedule, batch or source export behind it. */
export function presentLineage(job: ExportJobEntity) {
  return { origin: job.origin, template_id: job.templateId, schedule_id: job.scheduleId, batch_id: job.batchId, source_job_id: job.sourceJobId };
}

/** The answer of DELETE /export/{job_id}: what really left storage. */
export function presentDeleted(jobId: string, deleted: DeletedFiles) {
  return { job_id: jobId, deleted: true, files_removed: deleted.filesRemoved, space_freed_mb: toMegabytes(deleted.bytesFreed) };
}

function presentFile(jobId: string, file: ExportFileEntity) {
  return {
    filename: file.filename,
    size_mb: toMegabytes(file.bytes),
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

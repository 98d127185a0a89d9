import { deleteExport } from '@export-service/exports';
import type { ArtifactStore } from '@export-service/export-core';
import type { ExportJobRepository, ScheduleRunRepository } from '@export-service/db';
import type { Logger } from '@export-service/logger';

/** What a retention round removed. */
export interface RetentionCounts {
  deleted: number;
  filesRemoved: number;
  bytesFreed: number;
  failed: number;
}

/**
 * Deletes the exports that their schedule's retention lets go (`retention.keep_exports_days` with
 * `auto_cleanup`, `delivery.auto_delete_after_days`) through the one deletion path, reason
 * `retention`: rows stay, downloads answer 410. One export's trouble never stops the rest.
 */
export async function applyScheduleRetention(
  deps: { jobs: ExportJobRepository; runs: ScheduleRunRepository; store: ArtifactStore; logger: Logger },
  limit: number,
  now = new Date(),
): Promise<RetentionCounts> {
  const counts: RetentionCounts = { deleted: 0, filesRemoved: 0, bytesFreed: 0, failed: 0 };
  for (const job of await deps.runs.exportsPastRetention(now, limit)) {
    try {
      const deleted = await deleteExport({ jobs: deps.jobs, store: deps.store }, job, 'retention');
      if (!deleted) continue;
      counts.deleted += 1;
      counts.filesRemoved += deleted.filesRemoved;
      counts.bytesFreed += deleted.bytesFreed;
    } catch (error) {
      counts.failed += 1;
      deps.logger.warn('could not delete an export past its schedule retention; next round', { exportJobId: job.id, error });
    }
  }
  return counts;
}

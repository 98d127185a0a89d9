import type { ExportJobRepository } from '@export-service/db';
import { deleteExport, purgeExportFiles } from '@export-service/exports';
import type { ArtifactStore } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import type { JobHandler } from './job-handler';

/** A deletion whose storage removal failed is retried once it is this old (so it never races the request deleting it). */
const RETRY_PURGE_AFTER_MS = 10 * 60_000;

/**
 * Deletes the files of exports whose expiry has passed (their rows stay: status shows the expiry and
 * downloads answered 410 from the moment it passed), and finishes deletions whose storage removal
 * failed earlier. One export's trouble never stops the rest: it is logged and retried next round.
 */
export function createExpireExportsHandler(jobs: ExportJobRepository, store: ArtifactStore, logger: Logger): JobHandler<'expire-exports'> {
  return {
    async perform({ limit }) {
      const counts = { expired: 0, filesRemoved: 0, bytesFreed: 0, purged: 0, failed: 0 };
      for (const job of await jobs.expiredBefore(new Date(), limit)) {
        try {
          const deleted = await deleteExport({ jobs, store }, job, 'expired');
          if (!deleted) continue;
          counts.expired += 1;
          counts.filesRemoved += deleted.filesRemoved;
          counts.bytesFreed += deleted.bytesFreed;
        } catch (error) {
          counts.failed += 1;
          logger.warn('could not delete an expired export; next round', { exportJobId: job.id, error });
        }
      }
      for (const job of await jobs.unpurgedBefore(new Date(Date.now() - RETRY_PURGE_AFTER_MS), limit)) {
        try {
          counts.filesRemoved += await purgeExportFiles({ jobs, store }, job);
          counts.purged += 1;
        } catch (error) {
          counts.failed += 1;
          logger.warn("could not remove a deleted export's files; next round", { exportJobId: job.id, error });
        }
      }
      if (counts.expired + counts.purged + counts.failed > 0) logger.info('expired exports deleted', counts);
    },
  };
}

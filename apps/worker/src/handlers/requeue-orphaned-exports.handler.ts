import { Job } from 'bullmq';
import { QueueName } from '@export-service/contracts';
import type { ExportJobRepository } from '@export-service/db';
import type { Logger } from '@export-service/logger';
import { enqueueExport, type Queues } from '@export-service/queue';
import type { JobHandler } from './job-handler';

/**
 * The database is the truth, Redis the work list: an export whose row is still queued or running but
 * whose BullMQ job is gone (Redis restarted without persistence, a flush, an eviction) is queued
 * again under its own id, so no export waits forever. A new attempt takes over with a new run id; an
 * attempt that might still be running somewhere is fenced off by it.
 */
export function createRequeueOrphanedExportsHandler(jobs: ExportJobRepository, queues: Queues, logger: Logger): JobHandler<'requeue-orphaned-exports'> {
  return {
    async perform({ olderThanSeconds }) {
      const candidates = await jobs.unfinishedSince(new Date(Date.now() - olderThanSeconds * 1000));
      let requeued = 0;
      for (const id of candidates) {
        if (await Job.fromId(queues[QueueName.exports], id)) continue;
        await enqueueExport(queues, id);
        requeued += 1;
        logger.warn('export had lost its queue entry; queued it again', { exportJobId: id });
      }
      if (requeued > 0) logger.info('requeued orphaned exports', { requeued, checked: candidates.length });
    },
  };
}

import { Job } from 'bullmq';
import { QueueName } from '@export-service/contracts';
import type { ExportJobRepository } from '@export-service/db';
import { FailureCode, jobFailure, type JobFailure } from '@export-service/errors';
import type { ArtifactStore } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import { enqueueExport, type Queues } from '@export-service/queue';
import type { JobHandler } from './job-handler';
import { sweepRuns } from './sweep-partial-artifacts.handler';

/** The failure of an export BullMQ gave up on, from the reason BullMQ recorded. */
export function givenUpFailure(failedReason: string | undefined): JobFailure {
  return /stalled more than allowable limit/.test(failedReason ?? '')
    ? jobFailure(FailureCode.workerStopped)
    : jobFailure(FailureCode.internal, 'the workers could not complete this export');
}

/** Fails an export BullMQ gave up on (unless its row already says so) and removes its attempts' files. */
export async function failGivenUpExport(exportJobId: string, failedReason: string | undefined, jobs: ExportJobRepository, store: ArtifactStore, logger: Logger): Promise<void> {
  const failure = givenUpFailure(failedReason);
  if (await jobs.fail(exportJobId, failure)) logger.error('export failed: BullMQ gave up on it', { exportJobId, code: failure.code, reason: failedReason });
  const files = await sweepRuns(store, jobs, await jobs.abandonedRuns(new Date(), { jobId: exportJobId }));
  if (files > 0) logger.info("removed the files of the failed export's attempts", { exportJobId, files });
}

/**
 * Keeps the export rows and BullMQ in step; the database is the truth, Redis the work list. For every
 * export still queued or running that has not moved for a while: no BullMQ job (Redis restarted
 * without persistence, a flush) → queued again under its own id; a job BullMQ failed for good (a
 * `failed` event that no worker heard, or one from before an upgrade) → the row is failed too; a job
 * BullMQ calls completed while the row is not → queued again. A new attempt takes over with a new run
 * id; an attempt that might still be running somewhere is fenced off by it.
 */
export function createRequeueOrphanedExportsHandler(jobs: ExportJobRepository, queues: Queues, store: ArtifactStore, logger: Logger): JobHandler<'requeue-orphaned-exports'> {
  /** Reconciles one export; the row is read again after the queue, so a run that just finished is left alone. */
  async function reconcile(id: string, cutoff: Date): Promise<'failed' | 'requeued' | 'left'> {
    const queued = await Job.fromId(queues[QueueName.exports], id);
    const state = queued ? await queued.getState() : 'missing';
    if (state !== 'failed' && state !== 'completed' && state !== 'missing' && state !== 'unknown') return 'left';
    const row = await jobs.findById(id);
    if (!row || (row.status !== 'queued' && row.status !== 'processing') || row.updatedAt >= cutoff) return 'left';
    if (state === 'failed') {
      await failGivenUpExport(id, queued?.failedReason, jobs, store, logger);
      return 'failed';
    }
    // Missing, completed while the row is not, or a job hash that sits in no list: add() would be a
    // no-op while the old entry exists, so it goes first.
    await queued?.remove();
    await enqueueExport(queues, id);
    logger.warn('export had lost its queue entry; queued it again', { exportJobId: id, queueState: state });
    return 'requeued';
  }

  return {
    async perform({ olderThanSeconds }) {
      const cutoff = new Date(Date.now() - olderThanSeconds * 1000);
      const counts = { checked: 0, requeued: 0, failed: 0 };
      for (let page = await jobs.unfinishedSince(cutoff); page.length > 0; page = await jobs.unfinishedSince(cutoff, { afterId: page.at(-1) })) {
        for (const id of page) {
          counts.checked += 1;
          try {
            const outcome = await reconcile(id, cutoff);
            if (outcome === 'failed') counts.failed += 1;
            if (outcome === 'requeued') counts.requeued += 1;
          } catch (error) {
            // One export's trouble (a job locked by a worker that just took it) must not stop the rest.
            logger.warn('could not reconcile an export with its queue entry; next round', { exportJobId: id, error });
          }
        }
      }
      if (counts.requeued + counts.failed > 0) logger.info('export rows and queue reconciled', counts);
    },
  };
}

import { Job } from 'bullmq';
import { QueueName } from '@export-service/contracts';
import type { StaleDelivery } from '@export-service/db';
import { FailureCode, jobFailure } from '@export-service/errors';
import { deliveryJobId, enqueueDelivery } from '@export-service/queue';
import type { JobHandler } from './job-handler';
import { releaseDeliveries, type DeliveryRelease } from './release-deliveries';

/**
 * Keeps deliveries and BullMQ in step; the database is the truth. Every minute: deliveries still
 * pending although their export finished (the worker died between completing the export and queuing
 * them) are released; queued or running ones whose BullMQ job is gone (Redis lost it) or finished
 * without them are queued again; ones BullMQ failed for good (a `failed` event nobody heard) are failed.
 */
export function createReconcileDeliveriesHandler(release: DeliveryRelease): JobHandler<'reconcile-deliveries'> {
  async function reconcile(delivery: StaleDelivery): Promise<'released' | 'requeued' | 'failed' | 'left'> {
    if (delivery.status === 'pending') {
      const count = await releaseDeliveries(release, delivery.jobId, delivery.jobStatus === 'failed' ? 'export.failed' : 'export.completed');
      return count > 0 ? 'released' : 'left';
    }
    const queued = await Job.fromId(release.queues[QueueName.deliveries], deliveryJobId(delivery));
    const state = queued ? await queued.getState() : 'missing';
    if (state !== 'failed' && state !== 'completed' && state !== 'missing' && state !== 'unknown') return 'left';
    if (state === 'failed') {
      await release.deliveries.markFailed(delivery.id, jobFailure(FailureCode.deliveryRejected, queued?.failedReason?.slice(0, 500) ?? 'the workers gave up on this delivery'));
      return 'failed';
    }
    const current = await release.deliveries.findById(delivery.id);
    if (!current || (current.status !== 'queued' && current.status !== 'delivering') || current.round !== delivery.round) return 'left';
    await queued?.remove();
    await enqueueDelivery(release.queues, delivery, release.retry);
    release.logger.warn('delivery had lost its queue entry; queued it again', { deliveryId: delivery.id, queueState: state });
    return 'requeued';
  }

  return {
    async perform({ olderThanSeconds }) {
      const cutoff = new Date(Date.now() - olderThanSeconds * 1000);
      const counts = { checked: 0, released: 0, requeued: 0, failed: 0 };
      for (let page = await release.deliveries.staleSince(cutoff); page.length > 0; page = await release.deliveries.staleSince(cutoff, { afterId: page.at(-1)?.id })) {
        for (const delivery of page) {
          counts.checked += 1;
          try {
            const outcome = await reconcile(delivery);
            if (outcome !== 'left') counts[outcome] += 1;
          } catch (error) {
            release.logger.warn('could not reconcile a delivery with its queue entry; next round', { deliveryId: delivery.id, error });
          }
        }
      }
      if (counts.released + counts.requeued + counts.failed > 0) release.logger.info('deliveries and queue reconciled', counts);
    },
  };
}

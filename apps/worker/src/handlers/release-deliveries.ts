import type { DeliveryEvent } from '@export-service/contracts';
import type { DeliveryRepository } from '@export-service/db';
import type { Logger } from '@export-service/logger';
import { enqueueDelivery, type Queues, type RetryPolicy } from '@export-service/queue';

/** What releasing an export's deliveries talks to. */
export interface DeliveryRelease {
  deliveries: DeliveryRepository;
  queues: Queues;
  retry: RetryPolicy;
  logger: Logger;
}

/**
 * Once an export has finished, moves its pending deliveries to `queued` and queues one job per target.
 * A crash between the two leaves rows `queued` with no job, which the reconciliation queues again.
 */
export async function releaseDeliveries(release: DeliveryRelease, exportJobId: string, event: DeliveryEvent): Promise<number> {
  const queued = await release.deliveries.release(exportJobId, event);
  for (const delivery of queued) await enqueueDelivery(release.queues, delivery, release.retry);
  if (queued.length > 0) release.logger.info('deliveries queued', { exportJobId, event, deliveries: queued.length });
  return queued.length;
}

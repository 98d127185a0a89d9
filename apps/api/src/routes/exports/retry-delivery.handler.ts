import type { RequestHandler } from 'express';
import { errors } from '@export-service/errors';
import { enqueueDelivery } from '@export-service/queue';
import type { ApiDeps } from '../../api-deps';
import { principalOf } from '../../middleware/auth';
import { recordAudit } from '../audit-recorder';
import { presentDelivery } from './delivery.presenter';
import { findOwnJob } from './find-own-job';

/**
 * POST /export/{job_id}/deliveries/{n}/retry: a failed delivery gets a new round of attempts (the files
 * stay where they are; nothing is extracted again). 409 unless it failed.
 */
export function retryDeliveryHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    if (!/^\d{1,2}$/.test(String(req.params.index))) throw errors.validation([{ field: 'index', problem: 'must be a whole number from 0' }]);
    const delivery = await deps.deliveries.findByPosition(job.id, Number(req.params.index));
    if (!delivery) throw errors.notFound('delivery', `${job.id}/${String(req.params.index)}`);
    const queued = await deps.deliveries.retry(delivery.id);
    if (!queued) throw errors.deliveryNotRetryable(delivery.position, delivery.status);
    await enqueueDelivery(deps.queues, queued, { attempts: deps.config.delivery.attempts, backoffMs: deps.config.delivery.backoffMs });
    await recordAudit(deps, req, res, {
      action: 'export.delivery.retry',
      targetType: 'delivery',
      targetId: `${job.id}/${delivery.position}`,
      outcome: 'success',
      details: { method: delivery.method },
    });
    res.status(202).json(presentDelivery((await deps.deliveries.findById(delivery.id)) ?? delivery));
  };
}

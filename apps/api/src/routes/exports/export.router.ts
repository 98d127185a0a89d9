import { Router, type RequestHandler } from 'express';
import { EMPTY_PROGRESS, type ExportProgress } from '@export-service/contracts';
import type { ExportJobEntity } from '@export-service/db';
import { createExport } from '@export-service/exports';
import type { ApiDeps } from '../../api-deps';
import { jsonBody } from '../../middleware/json-body';
import { principalOf } from '../../middleware/auth';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';
import { downloadHandler } from './download.handler';
import { ExportConfigDto } from './export.dto';
import { presentCreated, presentStatus } from './export.presenter';
import { findOwnJob } from './find-own-job';
import { presentDelivery } from './delivery.presenter';
import { retryDeliveryHandler } from './retry-delivery.handler';

function createHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const request = await parseBody(ExportConfigDto, req.body);
    const created = await createExport(
      {
        jobs: deps.jobs,
        queues: deps.queues,
        analyticsPool: deps.analyticsPool,
        secretKey: deps.config.secrets.key,
        maxActiveExports: deps.config.limits.workspaceMaxQueuedExports,
        estimateBudgetMs: deps.config.limits.estimateBudgetMs,
        delivery: {
          credentials: deps.credentials,
          deliverySettings: deps.deliverySettings,
          secretKey: deps.config.secrets.key,
          isEmailConfigured: Boolean(deps.config.mail.smtpUrl || deps.config.mail.sendgridApiKey),
          allowPrivateWebhooks: deps.config.delivery.webhookAllowPrivate,
        },
      },
      principal,
      request,
    );
    const { spec } = created.job;
    await recordAudit(deps, req, res, {
      action: 'export.create',
      targetType: 'export',
      targetId: created.job.id,
      outcome: 'success',
      details: {
        format: spec.format,
        compression: spec.compression,
        sources: spec.sources.map((source) => source.type),
        encrypted: spec.encryption.enabled,
        deliveries: created.deliveries.map((delivery) => delivery.target.method),
      },
    });
    res.status(202).json(presentCreated(created.job, created.estimate, created.generatedPassword));
  };
}

/** Progress as stored on the row, overlaid with the live figures a running worker publishes. */
async function currentProgress(deps: ApiDeps, job: ExportJobEntity): Promise<ExportProgress> {
  const stored: ExportProgress = {
    ...EMPTY_PROGRESS,
    percentage: job.status === 'completed' ? 100 : 0,
    rows_processed: job.rowsProcessed,
    total_rows: job.totalRows,
    files_created: job.filesCreated,
  };
  if (job.status !== 'queued' && job.status !== 'processing') return stored;
  const live = await deps.progress.exportProgress(job.id);
  return live ? { ...stored, ...live } : stored;
}

/** /api/v1/export: create, status, download. */
export function exportRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/export/create', ...jsonBody(deps.config.http.bodyLimitBytes), createHandler(deps));
  router.get('/export/status/:job_id', async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    const progress = await currentProgress(deps, job);
    const files = job.status === 'completed' ? await deps.jobs.listFiles(job.id) : [];
    res.json({ ...presentStatus(job, progress, files), deliveries: (await deps.deliveries.listForJob(job.id)).map(presentDelivery) });
  });
  router.get('/export/download/:job_id/:file_index', downloadHandler(deps));
  router.post('/export/:job_id/deliveries/:index/retry', retryDeliveryHandler(deps));
  return router;
}

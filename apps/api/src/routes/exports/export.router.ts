import { Router, type RequestHandler } from 'express';
import { EMPTY_PROGRESS, type ExportProgress, type ExportRequest } from '@export-service/contracts';
import type { ExportJobEntity, Principal } from '@export-service/db';
import { errors } from '@export-service/errors';
import { createExport, deleteExport } from '@export-service/exports';
import { requestFromTemplate } from '@export-service/schedules';
import type { ApiDeps } from '../../api-deps';
import { jsonBody } from '../../middleware/json-body';
import { principalOf } from '../../middleware/auth';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';
import { downloadHandler } from './download.handler';
import { ExportConfigDto } from './export.dto';
import { presentCreated, presentDeleted } from './export.presenter';
import { findOwnJob } from './find-own-job';
import { findVisibleTemplate } from '../templates/template.router';
import { retryDeliveryHandler } from './retry-delivery.handler';
import { statusAnswer } from './status-answer';

function createHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const body = await parseBody(ExportConfigDto, req.body);
    const { request, templateId } = await requestOf(deps, body, principal);
    const created = await createExport(deps.exportCreation, principal, request, templateId ? { lineage: { origin: 'api', templateId } } : {});
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

/**
 * The request a create body stands for: the body itself, or with `template_id` the template (one the
 * caller may see) with the body's fields on top, each replacing the template's whole.
 */
async function requestOf(deps: ApiDeps, body: ExportConfigDto, principal: Principal): Promise<{ request: ExportRequest; templateId: string | null }> {
  const { template_id: templateId, ...overrides } = body;
  if (templateId === undefined) return { request: body, templateId: null };
  const template = await findVisibleTemplate(deps, templateId, principal);
  return { request: requestFromTemplate(template, overrides.name ?? template.name, overrides, deps.scheduling.secrets), templateId };
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

/**
 * DELETE /export/{job_id}: the files leave storage, the row stays (status shows the deletion,
 * downloads answer 410). 409 while the export is queued or running: cancel it first.
 */
function deleteHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    if (job.deletedAt) throw errors.exportGone(job.id, 'deleted', job.deletedAt);
    if (job.status === 'queued' || job.status === 'processing') throw errors.exportStillRunning(job.id, job.status, 'delete');
    const deleted = await deleteExport({ jobs: deps.jobs, store: deps.store }, job, 'user');
    if (!deleted) {
      // Deleted meanwhile by another request (or expired and swept): say what it is now.
      const now = await deps.jobs.findById(job.id);
      if (now?.deletedAt) throw errors.exportGone(job.id, 'deleted', now.deletedAt);
      throw errors.exportStillRunning(job.id, now?.status ?? job.status, 'delete');
    }
    await recordAudit(deps, req, res, {
      action: 'export.delete',
      targetType: 'export',
      targetId: job.id,
      outcome: 'success',
      details: { files_removed: deleted.filesRemoved, bytes_freed: deleted.bytesFreed },
    });
    res.json(presentDeleted(job.id, deleted));
  };
}

/** /api/v1/export: create, status, download, delete. */
export function exportRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/export/create', ...jsonBody(deps.config.http.bodyLimitBytes), createHandler(deps));
  router.get('/export/status/:job_id', async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    const progress = await currentProgress(deps, job);
    res.json(await statusAnswer(deps, job, progress));
  });
  router.get('/export/download/:job_id/:file_index', downloadHandler(deps));
  router.delete('/export/:job_id', deleteHandler(deps));
  router.post('/export/:job_id/deliveries/:index/retry', retryDeliveryHandler(deps));
  return router;
}

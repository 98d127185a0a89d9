import { randomBytes } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { Job } from 'bullmq';
import { estimateExport } from '@export-service/analytics';
import { EMPTY_PROGRESS, QueueName, type ExportProgress } from '@export-service/contracts';
import type { ExportJobEntity } from '@export-service/db';
import { enqueueExport } from '@export-service/queue';
import { hashPassword, sealSecret } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { jsonBody } from '../../middleware/json-body';
import { principalOf } from '../../middleware/auth';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';
import { downloadHandler } from './download.handler';
import { ExportConfigDto } from './export.dto';
import { presentCreated, presentStatus } from './export.presenter';
import { resolveExportRequest } from './export-request.resolver';
import { findOwnJob } from './find-own-job';

/** A new export id: `job_` and 128 random bits. */
function newJobId(): string {
  return `job_${randomBytes(16).toString('hex')}`;
}

function createHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const dto = await parseBody(ExportConfigDto, req.body);
    const resolved = resolveExportRequest(dto, principal.workspaceId);
    const estimate = await estimateExport(deps.analyticsPool, resolved.spec, principal.workspaceId);
    const id = newJobId();
    const password = resolved.password?.value ?? null;
    const job = await deps.jobs.create({
      id,
      workspaceId: principal.workspaceId,
      userId: principal.userId,
      name: resolved.spec.name,
      spec: resolved.spec,
      notes: estimate.isExactCount ? resolved.notes : [...resolved.notes, 'the row estimate comes from the query planner (the source is large)'],
      estimatedRows: estimate.rows,
      estimatedSizeMb: estimate.sizeMb,
      estimatedSeconds: estimate.timeSeconds,
      passwordHash: password && resolved.spec.encryption.passwordProtected ? await hashPassword(password) : null,
      sealedPassword: password && resolved.spec.encryption.enabled ? sealSecret(password, { key: deps.config.secrets.key, previousKeys: [] }, id) : null,
    });
    try {
      await enqueueExport(deps.queues, id);
    } catch (error) {
      await deps.jobs.fail(id, 'the export could not be queued; try again');
      throw error;
    }
    await recordAudit(deps, req, res, {
      action: 'export.create',
      targetType: 'export',
      targetId: id,
      outcome: 'success',
      details: { format: resolved.spec.format, compression: resolved.spec.compression, sources: resolved.spec.sources.map((source) => source.type), encrypted: resolved.spec.encryption.enabled },
    });
    res.status(202).json(presentCreated(job, estimate, resolved.password?.isGenerated ? password : null));
  };
}

/** Live progress from Redis while the job runs; a job BullMQ gave up on is failed here too. */
async function currentProgress(deps: ApiDeps, job: ExportJobEntity): Promise<{ job: ExportJobEntity; progress: ExportProgress }> {
  const stored: ExportProgress = {
    ...EMPTY_PROGRESS,
    percentage: job.status === 'completed' ? 100 : 0,
    rows_processed: job.rowsProcessed,
    total_rows: job.totalRows,
    files_created: job.filesCreated,
  };
  if (job.status === 'completed' || job.status === 'failed') return { job, progress: stored };
  const queued = await Job.fromId(deps.queues[QueueName.exports], job.id).catch(() => undefined);
  if (queued && (await queued.isFailed())) {
    await deps.jobs.fail(job.id, job.error ?? 'the workers could not complete this export');
    return { job: (await deps.jobs.findById(job.id)) ?? job, progress: stored };
  }
  const live = queued?.progress;
  return { job, progress: live && typeof live === 'object' ? { ...stored, ...(live as ExportProgress) } : stored };
}

/** /api/v1/export: create, status, download. */
export function exportRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/export/create', ...jsonBody(deps.config.http.bodyLimitBytes), createHandler(deps));
  router.get('/export/status/:job_id', async (req, res) => {
    const found = await findOwnJob(deps, String(req.params.job_id), principalOf(res).workspaceId);
    const { job, progress } = await currentProgress(deps, found);
    const files = job.status === 'completed' ? await deps.jobs.listFiles(job.id) : [];
    res.json(presentStatus(job, progress, files));
  });
  router.get('/export/download/:job_id/:file_index', downloadHandler(deps));
  return router;
}

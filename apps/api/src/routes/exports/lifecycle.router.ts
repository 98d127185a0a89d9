import { randomBytes } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { BYTES_PER_MB, JobName, MAX_EXPORT_TTL_DAYS } from '@export-service/contracts';
import type { ExportJobEntity } from '@export-service/db';
import { errors } from '@export-service/errors';
import { cleanupExports, createExport, fileAvailability, sourcesOf, validateExport, validationPasswordContext } from '@export-service/exports';
import { addJob, announceCancellation, ExportEventPublisher } from '@export-service/queue';
import { sealSecret } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { principalOf, refuseViewers, requireAdmin } from '../../middleware/auth';
import { jsonBody } from '../../middleware/json-body';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';
import { checkDownloadPassword, passwordFromHeader } from './download.handler';
import { findOwnJob } from './find-own-job';
import { CleanupDto, ConvertDto, ExtendDto, ValidateDto } from './lifecycle.dto';
import { presentCleanup, presentMetadata } from './lifecycle.presenter';

const DAY_MS = 86_400_000;
const VALIDATION_ID = /^val_[0-9a-f]{32}$/;

/** The export a body field names, if the caller may see it and its files are still there and complete. */
async function completedExport(deps: ApiDeps, res: Response, id: string, field: string, action: string): Promise<ExportJobEntity> {
  const job = await findOwnJob(deps, id, principalOf(res));
  const availability = fileAvailability(job);
  if (availability === 'deleted') throw errors.exportGoneFor(job.id, 'deleted', job.deletedAt as Date, field);
  if (availability === 'expired') throw errors.exportGoneFor(job.id, 'expired', job.expiresAt as Date, field);
  if (job.status !== 'completed') throw errors.exportUnusable(job.id, job.status, field, action);
  return job;
}

/** The password a client sent for an encrypted export (body first, then X-Export-Password), checked like a download's. */
async function exportPassword(deps: ApiDeps, req: Request, res: Response, job: ExportJobEntity, bodyPassword: string | undefined): Promise<string | null> {
  if (!job.spec.encryption.enabled && !job.spec.encryption.passwordProtected) return null;
  const given = bodyPassword ?? passwordFromHeader(req.get('x-export-password'));
  if (job.passwordHash) await checkDownloadPassword(deps, req, res, job, undefined, given ?? '');
  else if (!given) throw errors.invalidExportPassword();
  return given ?? null;
}

function convertHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const body = await parseBody(ConvertDto, req.body);
    const source = await completedExport(deps, res, body.source_job_id, 'source_job_id', 'converted');
    const sourcePassword = await exportPassword(deps, req, res, source, body.password);
    const recorded = await sourcesOf(deps.jobs, source);
    const created = await createExport(deps.exportCreation, principalOf(res), { body, source, recorded, sourcePassword });
    await recordAudit(deps, req, res, {
      action: 'export.convert',
      targetType: 'export',
      targetId: created.job.id,
      outcome: 'success',
      details: { source_job_id: source.id, format: created.job.spec.format, encrypted: created.job.spec.encryption.enabled },
    });
    res.status(202).json({
      conversion_job_id: created.job.id,
      job_id: created.job.id,
      status: created.job.status,
      source_job_id: source.id,
      target_format: created.job.spec.format,
      estimated_rows: created.estimate.rows,
      tracking_url: `/api/v1/export/status/${created.job.id}`,
      ...(created.generatedPassword ? { password: created.generatedPassword, password_notice: 'Store this password now: it is shown only once.' } : {}),
      notes: created.job.notes,
    });
  };
}

function validateHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const body = await parseBody(ValidateDto, req.body);
    const job = await completedExport(deps, res, body.job_id, 'job_id', 'validated');
    const sampleRows = body.sample_rows ?? 0;
    const needsPassword = body.validation_type !== 'checksum' || sampleRows > 0;
    const password = needsPassword ? await exportPassword(deps, req, res, job, body.password) : null;
    const files = await deps.jobs.listFiles(job.id);
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    if (bytes > deps.config.limits.validateInlineMaxMb * BYTES_PER_MB) {
      const principal = principalOf(res);
      const id = `val_${randomBytes(16).toString('hex')}`;
      await deps.activity.createValidation({
        id,
        jobId: job.id,
        workspaceId: job.workspaceId,
        userId: principal.userId,
        validationType: body.validation_type,
        sampleRows,
        sealedPassword: password ? sealSecret(password, { key: deps.config.secrets.key, previousKeys: [] }, validationPasswordContext(id)) : null,
      });
      await addJob(deps.queues, JobName.validateExport, { validationId: id }, { jobId: id, attempts: 1 });
      res.status(202).json({ validation_id: id, job_id: job.id, status: 'queued', status_url: `/api/v1/export/validate/${id}` });
      return;
    }
    res.json(await validateExport({ jobs: deps.jobs, store: deps.store, ...deps.staging }, job, body.validation_type, sampleRows, password));
  };
}

function cancelHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    if (job.deletedAt) throw errors.exportGone(job.id, 'deleted', job.deletedAt);
    const cancelled = await deps.jobs.cancel(job.id);
    if (!cancelled) throw errors.exportNotCancellable(job.id, (await deps.jobs.findById(job.id))?.status ?? job.status);
    if (cancelled.previous === 'queued') {
      // Nothing runs it: drop it from the queue (a worker that picks it up anyway finds it cancelled).
      await deps.queues.exports.remove(job.id).catch(() => undefined);
    } else {
      await announceCancellation(deps.redis, deps.config.redis.queuePrefix, job.id).catch((error: unknown) =>
        deps.logger.warn('cancellation announcement failed; the running attempt notices by polling', { exportJobId: job.id, error }),
      );
    }
    // Open progress streams close now rather than at their fallback check.
    await deps.deliveries.skipCancelled(job.id);
    await new ExportEventPublisher(deps.redis, deps.config.redis.queuePrefix).finished(job.id, 'cancelled');
    await recordAudit(deps, req, res, { action: 'export.cancel', targetType: 'export', targetId: job.id, outcome: 'success', details: { previous_status: cancelled.previous } });
    const now = await deps.jobs.findById(job.id);
    res.json({ job_id: job.id, status: 'cancelled', previous_status: cancelled.previous, cancelled_at: now?.cancelledAt?.toISOString() ?? null });
  };
}

function extendHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    const body = await parseBody(ExtendDto, req.body);
    if (job.deletedAt) throw errors.exportGone(job.id, 'deleted', job.deletedAt);
    const extended = await deps.jobs.extendExpiry(job.id, body.days, MAX_EXPORT_TTL_DAYS);
    if (!extended) {
      const now = await deps.jobs.findById(job.id);
      if (now?.deletedAt) throw errors.exportGone(job.id, 'deleted', now.deletedAt);
      const latest = new Date(job.createdAt.getTime() + MAX_EXPORT_TTL_DAYS * DAY_MS);
      const from = Math.max(now?.expiresAt?.getTime() ?? 0, Date.now());
      const room = Math.max(0, Math.floor((latest.getTime() - from) / DAY_MS));
      throw errors.validation([
        { field: 'days', problem: `would move the expiry past ${latest.toISOString()} (${MAX_EXPORT_TTL_DAYS} days after the export was created); at most ${room} more days` },
      ]);
    }
    await recordAudit(deps, req, res, { action: 'export.extend', targetType: 'export', targetId: job.id, outcome: 'success', details: { days: body.days } });
    res.json({ job_id: job.id, expires_at: new Date(extended.expiresAt).toISOString(), previous_expires_at: extended.previous ? new Date(extended.previous).toISOString() : null });
  };
}

function cleanupHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const body = await parseBody(CleanupDto, req.body);
    const principal = principalOf(res);
    const isDryRun = body.dry_run ?? false;
    const result = await cleanupExports({ jobs: deps.jobs, store: deps.store }, principal.workspaceId, {
      olderThanDays: body.older_than_days,
      keepScheduled: body.keep_scheduled ?? true,
      isDryRun,
    });
    await recordAudit(deps, req, res, {
      action: isDryRun ? 'export.cleanup.dry_run' : 'export.cleanup',
      targetType: 'workspace',
      targetId: principal.workspaceId,
      outcome: 'success',
      details: { older_than_days: body.older_than_days, exports: result.exportsDeleted, bytes: result.bytesFreed },
    });
    res.json(presentCleanup(result, isDryRun));
  };
}

/** /api/v1/export after the export: convert, metadata, validate, cancel, extend, cleanup (documented in `lifecycle.openapi.ts`). */
export function lifecycleRouter(deps: ApiDeps): Router {
  const router = Router();
  const body = jsonBody(deps.config.http.bodyLimitBytes);
  router.post('/export/convert', ...body, convertHandler(deps));
  router.post('/export/validate', ...body, validateHandler(deps));
  // Viewers read status-like information only: a report's sample rows are data, metadata holds filter values, row values and the download log.
  router.get('/export/validate/:validation_id', refuseViewers, async (req, res) => {
    const id = String(req.params.validation_id);
    const validation = VALIDATION_ID.test(id) ? await deps.activity.findValidation(id, principalOf(res)) : null;
    if (!validation) throw errors.notFound('validation', id.slice(0, 64));
    res.json({
      validation_id: validation.id,
      job_id: validation.jobId,
      status: validation.status,
      validation_type: validation.validationType,
      ...(validation.result ?? {}),
      error: validation.error,
    });
  });
  router.get('/export/metadata/:job_id', refuseViewers, async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    const files = job.status === 'completed' ? await deps.jobs.listFiles(job.id) : [];
    const sources = await sourcesOf(deps.jobs, job, files);
    const origin = job.sourceJobId ? await deps.jobs.findById(job.sourceJobId) : null;
    res.json(presentMetadata(job, sources, files, await deps.activity.downloadsOf(job.id), job.sourceDatabase ?? origin?.sourceDatabase ?? null));
  });
  router.post('/export/cleanup', requireAdmin, ...body, cleanupHandler(deps));
  router.post('/export/:job_id/cancel', cancelHandler(deps));
  router.post('/export/:job_id/extend', ...body, extendHandler(deps));
  return router;
}

import type { Request, RequestHandler, Response } from 'express';
import { errors } from '@export-service/errors';
import type { ExportJobEntity } from '@export-service/db';
import { verifyPassword } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { principalOf } from '../../middleware/auth';
import { recordAudit } from '../audit-recorder';
import { findOwnJob } from './find-own-job';
import { prepareStoredFile, sendStoredFile } from './send-stored-file';

/** Checks X-Export-Password for a protected export, with a lockout after repeated failures. */
async function checkDownloadPassword(deps: ApiDeps, req: Request, res: Response, job: ExportJobEntity): Promise<void> {
  if (!job.spec.encryption.passwordProtected || !job.passwordHash) return;
  const lockedFor = await deps.downloadLockout.lockedFor(job.id);
  if (lockedFor > 0) {
    await recordAudit(deps, req, res, { action: 'export.download', targetType: 'export', targetId: job.id, outcome: 'denied', details: { reason: 'locked' } });
    throw errors.downloadLocked(lockedFor);
  }
  const password = req.get('x-export-password');
  if (password && password.length <= 256 && (await verifyPassword(password, job.passwordHash))) {
    await deps.downloadLockout.reset(job.id);
    return;
  }
  await deps.downloadLockout.recordFailure(job.id);
  await recordAudit(deps, req, res, {
    action: 'export.download',
    targetType: 'export',
    targetId: job.id,
    outcome: 'denied',
    details: { reason: password ? 'wrong password' : 'missing password' },
  });
  throw errors.invalidExportPassword();
}

/**
 * GET /export/download/{job_id}/{file_index}: streams a file with its checksum; `Range` (and
 * `If-Range` on the checksum ETag) lets a broken download resume.
 */
export function downloadHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    if (!/^\d{1,6}$/.test(String(req.params.file_index))) throw errors.validation([{ field: 'file_index', problem: 'must be a whole number from 0' }]);
    if (job.status !== 'completed') throw errors.exportNotCompleted(job.id, job.status);
    await checkDownloadPassword(deps, req, res, job);
    const file = await deps.jobs.findFile(job.id, Number(req.params.file_index));
    if (!file) throw errors.notFound('file', `${job.id}/${String(req.params.file_index)}`);
    const prepared = await prepareStoredFile(deps, req, file);
    await recordAudit(deps, req, res, {
      action: 'export.download',
      targetType: 'export_file',
      targetId: `${job.id}/${file.fileIndex}`,
      outcome: 'success',
      details: { filename: file.filename, ...(prepared.range ? { range: `${prepared.range.start}-${prepared.range.end}` } : {}) },
    });
    await sendStoredFile(deps, req, res, file, prepared);
  };
}

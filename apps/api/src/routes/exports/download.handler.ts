import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response } from 'express';
import { errors } from '@export-service/errors';
import type { ExportJobEntity } from '@export-service/db';
import { verifyPassword } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { principalOf } from '../../middleware/auth';
import { recordAudit } from '../audit-recorder';
import { parseByteRange } from './byte-range';
import { findOwnJob } from './find-own-job';

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
  await recordAudit(deps, req, res, { action: 'export.download', targetType: 'export', targetId: job.id, outcome: 'denied', details: { reason: password ? 'wrong password' : 'missing password' } });
  throw errors.invalidExportPassword();
}

/**
 * GET /export/download/{job_id}/{file_index}: streams a file with its checksum; `Range` (and
 * `If-Range` on the checksum ETag) lets a broken download resume.
 */
export function downloadHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const job = await findOwnJob(deps, String(req.params.job_id), principal.workspaceId);
    if (!/^\d{1,6}$/.test(String(req.params.file_index))) throw errors.validation([{ field: 'file_index', problem: 'must be a whole number from 0' }]);
    if (job.status !== 'completed') throw errors.exportNotCompleted(job.id, job.status);
    await checkDownloadPassword(deps, req, res, job);
    const file = await deps.jobs.findFile(job.id, Number(req.params.file_index));
    if (!file) throw errors.notFound('file', `${job.id}/${String(req.params.file_index)}`);
    const size = await deps.store.size(file.storageKey);
    if (size === null) throw errors.notFound('file', `${job.id}/${file.fileIndex}`);

    const etag = `"${file.sha256}"`;
    const ifRange = req.get('if-range');
    const range = ifRange && ifRange !== etag ? null : parseByteRange(req.get('range'), size);
    if (range === 'unsatisfiable') throw errors.rangeNotSatisfiable(size);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    res.setHeader('X-Checksum', `sha256:${file.sha256}`);
    res.setHeader('ETag', etag);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'private, no-store');
    if (range) {
      res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.status(200).setHeader('Content-Length', String(size));
    }
    await recordAudit(deps, req, res, {
      action: 'export.download',
      targetType: 'export_file',
      targetId: `${job.id}/${file.fileIndex}`,
      outcome: 'success',
      details: { filename: file.filename, ...(range ? { range: `${range.start}-${range.end}` } : {}) },
    });
    if (req.method === 'HEAD') return void res.end();
    try {
      await pipeline(await deps.store.read(file.storageKey, range ?? undefined), res);
    } catch (error) {
      // A client that hangs up mid-download is normal (it can resume with Range); anything else is not.
      if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    }
  };
}

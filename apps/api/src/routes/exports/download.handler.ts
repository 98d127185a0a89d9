import type { Request, RequestHandler, Response } from 'express';
import { errors } from '@export-service/errors';
import type { ExportJobEntity } from '@export-service/db';
import { fileAvailability } from '@export-service/exports';
import { verifyPassword } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { principalOf, refuseViewer } from '../../middleware/auth';
import { recordAudit, type AuditActor } from '../audit-recorder';
import { findOwnJob } from './find-own-job';
import { logDownload, prepareStoredFile, sendStoredFile } from './send-stored-file';

/**
 * The X-Export-Password header as the client typed it. HTTP hands header bytes over as Latin-1;
 * clients (curl, browsers' fetch) send UTF-8, so the bytes are read as UTF-8 when they are valid UTF-8.
 */
export function passwordFromHeader(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  return utf8.includes('\ufffd') && !raw.includes('\ufffd') ? raw : utf8;
}

/**
 * Checks X-Export-Password for a protected export. Each check is reserved in Redis before the scrypt
 * verification runs, so parallel guesses cannot pass the failure limit (see RedisLockout).
 */
export async function checkDownloadPassword(deps: ApiDeps, req: Request, res: Response, job: ExportJobEntity, actor?: AuditActor, given?: string): Promise<void> {
  if (!job.spec.encryption.passwordProtected || !job.passwordHash) return;
  const deny = (reason: string) =>
    recordAudit(deps, req, res, { action: 'export.download', targetType: 'export', targetId: job.id, outcome: 'denied', details: { reason } }, actor);
  const reservation = await deps.downloadLockout.reserve(job.id);
  if (reservation.kind === 'locked') {
    await deny('locked');
    throw errors.downloadLocked(reservation.retryAfterSeconds);
  }
  if (reservation.kind === 'busy') {
    await deny('too many checks at once');
    throw errors.passwordChecksBusy(reservation.retryAfterSeconds);
  }
  const password = given ?? passwordFromHeader(req.get('x-export-password'));
  const isValid = password !== undefined && password.length > 0 && password.length <= 256 && (await verifyPassword(password, job.passwordHash).catch(() => false));
  await deps.downloadLockout.settle(job.id, reservation.id, isValid);
  if (isValid) return;
  await deny(password ? 'wrong password' : 'missing password');
  throw errors.invalidExportPassword();
}

/** 410 Gone for the files of a deleted or expired export, before anything else is checked. */
export function assertFilesServed(job: ExportJobEntity): void {
  const availability = fileAvailability(job);
  if (availability === 'deleted') throw errors.exportGone(job.id, 'deleted', job.deletedAt as Date);
  if (availability === 'expired') throw errors.exportGone(job.id, 'expired', job.expiresAt as Date);
}

/**
 * GET /export/download/{job_id}/{file_index}: streams a file with its checksum; `Range` (and
 * `If-Range` on the checksum ETag) lets a broken download resume.
 */
export function downloadHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    refuseViewer(res);
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    if (!/^\d{1,6}$/.test(String(req.params.file_index))) throw errors.validation([{ field: 'file_index', problem: 'must be a whole number from 0' }]);
    assertFilesServed(job);
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
    const startedAt = new Date();
    const sent = await sendStoredFile(deps, req, res, file, prepared);
    await logDownload(deps, req, file, principalOf(res), 'api', prepared, sent, startedAt);
  };
}

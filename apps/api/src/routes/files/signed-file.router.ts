import { Router, type Request, type Response } from 'express';
import type { ExportFileEntity, ExportJobEntity } from '@export-service/db';
import { errors } from '@export-service/errors';
import { isSafeKey } from '@export-service/export-core';
import type { ApiDeps } from '../../api-deps';
import { recordAudit } from '../audit-recorder';
import { assertFilesServed, checkDownloadPassword } from '../exports/download.handler';
import { logDownload, prepareStoredFile, sendStoredFile } from '../exports/send-stored-file';

const JOB_ID = /^job_[0-9a-f]{32}$/;

/** Serves a file a valid link names: the export's password still applies, the download is audited for its workspace. */
async function serveLinkedFile(deps: ApiDeps, req: Request, res: Response, job: ExportJobEntity, file: ExportFileEntity, via: string): Promise<void> {
  // A deleted or expired export answers 410 through any link, as through the API.
  assertFilesServed(job);
  const actor = { workspaceId: job.workspaceId, userId: null, apiKeyHint: null };
  // A link stands in for the API key, not for the export's password: protected exports still ask for it.
  await checkDownloadPassword(deps, req, res, job, actor);
  const prepared = await prepareStoredFile(deps, req, file);
  await recordAudit(
    deps,
    req,
    res,
    { action: 'export.download', targetType: 'export_file', targetId: `${job.id}/${file.fileIndex}`, outcome: 'success', details: { filename: file.filename, via } },
    actor,
  );
  const startedAt = new Date();
  const sent = await sendStoredFile(deps, req, res, file, prepared);
  await logDownload(deps, req, file, actor, 'signed_link', prepared, sent, startedAt);
}

/**
 * Downloads authorised by a signature instead of an API key: `GET /api/v1/files/{key}?expires=&signature=`
 * (what a store's `signedUrl` hands out) and `GET /api/v1/export/download/{job_id}/{file_index}?token=`
 * (the links in delivery emails and webhooks; without `token` the request goes on to the API-key route).
 * Only files of completed exports are served; Range works as on downloads.
 */
export function signedFileRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/files/*key', async (req, res) => {
    const key = (req.params as { key: string[] }).key.join('/');
    const expires = typeof req.query.expires === 'string' ? req.query.expires : '';
    const signature = typeof req.query.signature === 'string' ? req.query.signature : '';
    const check = isSafeKey(key) ? deps.linkSigner.check(key, expires, signature) : 'invalid';
    if (check === 'invalid') throw errors.invalidSignedLink();
    if (check === 'expired') throw errors.signedLinkExpired();
    const file = await deps.jobs.findServedFile(key);
    const job = file ? await deps.jobs.findById(file.jobId) : null;
    if (!file || !job) throw errors.signedLinkGone();
    await serveLinkedFile(deps, req, res, job, file, 'signed link');
  });
  router.get('/export/download/:job_id/:file_index', async (req, res, next) => {
    if (req.query.token === undefined) return next();
    const jobId = String(req.params.job_id);
    const fileIndex = /^\d{1,6}$/.test(String(req.params.file_index)) ? Number(req.params.file_index) : -1;
    const job = JOB_ID.test(jobId) && fileIndex >= 0 ? await deps.jobs.findById(jobId) : null;
    // The token is bound to the workspace, job and file: any other combination (or an altered token) is invalid.
    const check = job && typeof req.query.token === 'string' ? deps.linkSigner.checkDownloadToken({ workspaceId: job.workspaceId, jobId, fileIndex }, req.query.token) : 'invalid';
    if (check === 'invalid' || !job) throw errors.invalidSignedLink();
    if (check === 'expired') throw errors.signedLinkExpired();
    const file = job.status === 'completed' ? await deps.jobs.findFile(job.id, fileIndex) : null;
    if (!file) throw errors.signedLinkGone();
    await serveLinkedFile(deps, req, res, job, file, 'download link');
  });
  return router;
}

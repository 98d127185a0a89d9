import { Router } from 'express';
import { errors } from '@export-service/errors';
import { isSafeKey } from '@export-service/export-core';
import type { ApiDeps } from '../../api-deps';
import { recordAudit } from '../audit-recorder';
import { checkDownloadPassword } from '../exports/download.handler';
import { logDownload, prepareStoredFile, sendStoredFile } from '../exports/send-stored-file';

/**
 * GET /api/v1/files/{key}?expires=&signature=: a stored file through a signed link (what the local
 * store's `signedUrl` hands out, as S3 would hand out a presigned URL). No API key: the signature is
 * the authorisation; only files of completed exports are served; Range works as on downloads.
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
    const actor = { workspaceId: job.workspaceId, userId: null, apiKeyHint: null };
    // A link stands in for the API key, not for the export's password: protected exports still ask for it.
    await checkDownloadPassword(deps, req, res, job, actor);
    const prepared = await prepareStoredFile(deps, req, file);
    await recordAudit(
      deps,
      req,
      res,
      {
        action: 'export.download',
        targetType: 'export_file',
        targetId: `${job.id}/${file.fileIndex}`,
        outcome: 'success',
        details: { filename: file.filename, via: 'signed link' },
      },
      actor,
    );
    const startedAt = new Date();
    const sent = await sendStoredFile(deps, req, res, file, prepared);
    await logDownload(deps, req, file, actor, 'signed_link', prepared, sent, startedAt);
  });
  return router;
}

import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ExportFileEntity } from '@export-service/db';
import { errors } from '@export-service/errors';
import type { ApiDeps } from '../../api-deps';
import type { ByteRange } from '@export-service/export-core';
import { parseByteRange } from './byte-range';
import { clientIp } from '../../middleware/client-ip';

/** A file ready to send: its size and the one range asked for, or null for all of it. */
export interface PreparedFile {
  size: number;
  range: ByteRange | null;
}

/** A stored file's size and the range the request asks for, checked before anything is sent. */
export async function prepareStoredFile(deps: Pick<ApiDeps, 'store'>, req: Request, file: ExportFileEntity): Promise<PreparedFile> {
  const stored = await deps.store.stat(file.storageKey);
  if (stored === null) throw errors.notFound('file', `${file.jobId}/${file.fileIndex}`);
  const ifRange = req.get('if-range');
  const range = ifRange && ifRange !== etagOf(file) ? null : parseByteRange(req.get('range'), stored.bytes);
  if (range === 'unsatisfiable') throw errors.rangeNotSatisfiable(stored.bytes);
  return { size: stored.bytes, range };
}

/** What a download sent: bytes written to the client, and whether all it asked for went. */
export interface SentFile {
  bytesSent: number;
  isComplete: boolean;
}

/** Streams a stored file (or the asked range) with its checksum, ETag and length. */
export async function sendStoredFile(deps: Pick<ApiDeps, 'store'>, req: Request, res: Response, file: ExportFileEntity, prepared: PreparedFile): Promise<SentFile> {
  const { size, range } = prepared;
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
  res.setHeader('X-Checksum', `sha256:${file.sha256}`);
  res.setHeader('ETag', etagOf(file));
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, no-store');
  if (range) {
    res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200).setHeader('Content-Length', String(size));
  }
  if (req.method === 'HEAD') {
    res.end();
    return { bytesSent: 0, isComplete: true };
  }
  const expected = range ? range.end - range.start + 1 : size;
  // Bytes count once the socket has taken them (the write's callback), not when they reach the response:
  // a client that reads Content-Length bytes and hangs up at once closes the response before its
  // 'finish' (sometimes before it is even ended), with every byte delivered.
  let bytesSent = 0;
  let isClientGone = false;
  const toClient = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      res.write(chunk, (error) => {
        if (error) isClientGone = true;
        else bytesSent += chunk.length;
        callback(error ?? null);
      });
    },
    final(callback) {
      res.end(() => callback());
    },
  });
  // Writes to a destroyed socket never call back: the response's close ends the copy instead.
  const onClose = () => {
    if (res.writableFinished) return;
    isClientGone = true;
    toClient.destroy(Object.assign(new Error('the client closed the connection'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  };
  res.once('close', onClose);
  try {
    await pipeline(await deps.store.read(file.storageKey, range ?? undefined), toClient);
  } catch (error) {
    // A client that hangs up mid-download is normal (it can resume with Range); anything else is not.
    if (!isClientGone) throw error;
  } finally {
    res.off('close', onClose);
  }
  return { bytesSent, isComplete: bytesSent === expected };
}

/**
 * Logs one download in the export's download log (who, when, the range asked for, bytes sent); a
 * failure to log is logged and never fails the download that already happened.
 */
export async function logDownload(
  deps: Pick<ApiDeps, 'activity' | 'logger'>,
  req: Request,
  file: ExportFileEntity,
  actor: { workspaceId: string; userId: string | null; apiKeyHint: string | null },
  via: 'api' | 'signed_link',
  prepared: PreparedFile,
  sent: SentFile,
  startedAt: Date,
): Promise<void> {
  if (req.method === 'HEAD') return;
  await deps.activity
    .recordDownload({
      jobId: file.jobId,
      fileIndex: file.fileIndex,
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      apiKeyHint: actor.apiKeyHint,
      via,
      ip: clientIp(req),
      userAgent: req.get('user-agent')?.slice(0, 256) ?? null,
      range: prepared.range,
      bytesSent: sent.bytesSent,
      isComplete: sent.isComplete,
      startedAt,
    })
    .catch((error: unknown) => deps.logger.error('download log write failed', { jobId: file.jobId, error }));
}

function etagOf(file: ExportFileEntity): string {
  return `"${file.sha256}"`;
}

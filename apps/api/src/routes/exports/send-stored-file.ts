import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ExportFileEntity } from '@export-service/db';
import { errors } from '@export-service/errors';
import type { ApiDeps } from '../../api-deps';
import type { ByteRange } from '@export-service/export-core';
import { parseByteRange } from './byte-range';

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

/** Streams a stored file (or the asked range) with its checksum, ETag and length. */
export async function sendStoredFile(deps: Pick<ApiDeps, 'store'>, req: Request, res: Response, file: ExportFileEntity, prepared: PreparedFile): Promise<void> {
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
  if (req.method === 'HEAD') return void res.end();
  try {
    await pipeline(await deps.store.read(file.storageKey, range ?? undefined), res);
  } catch (error) {
    // A client that hangs up mid-download is normal (it can resume with Range); anything else is not.
    if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
}

function etagOf(file: ExportFileEntity): string {
  return `"${file.sha256}"`;
}

import type { StreamingEncoder } from '@export-service/export-core';
import { FramedPart } from './framed-part';

const NO_BYTES = Buffer.alloc(0);

/**
 * JSON: one array per file, one object per line (or, with `json_pretty`, indented over several lines);
 * rows arrive as `{...},\n` and the last comma is dropped.
 */
export const jsonEncoder: StreamingEncoder = {
  kind: 'streaming',
  format: 'json',
  extension: 'json',
  contentType: 'application/json',
  dialect: 'json',
  prettyDialect: 'json_pretty',
  openPart: (next) =>
    new FramedPart(next, {
      header: Buffer.from('[\n'),
      footer: (hasRows) => Buffer.from(hasRows ? '\n]\n' : ']\n'),
      rowSeparatorBytes: 2,
    }),
  maxOutput: (rowBytes) => rowBytes + 4,
};

/** JSON Lines: one object per line, nothing around them. */
export const jsonlEncoder: StreamingEncoder = {
  kind: 'streaming',
  format: 'jsonl',
  extension: 'jsonl',
  contentType: 'application/x-ndjson',
  dialect: 'jsonl',
  openPart: (next) => new FramedPart(next, { header: NO_BYTES, footer: () => NO_BYTES, rowSeparatorBytes: 0 }),
  maxOutput: (rowBytes) => rowBytes,
};

import type { StreamingEncoder } from '@export-service/export-core';
import { FramedPart } from './framed-part';

/** A UTF-8 byte order mark, so Excel reads the file as UTF-8 (pandas, DuckDB and fast-csv skip it). */
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NO_BYTES = Buffer.alloc(0);

/** Quotes a header field the way RFC 4180 asks. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value.trim() !== value ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV: a header row, then rows as PostgreSQL's COPY wrote them (RFC 4180 quoting, ISO-8601 UTC). */
export const csvEncoder: StreamingEncoder = {
  kind: 'streaming',
  format: 'csv',
  extension: 'csv',
  contentType: 'text/csv; charset=utf-8',
  dialect: 'csv',
  openPart: (next, context) =>
    new FramedPart(next, {
      header: Buffer.concat([UTF8_BOM, Buffer.from(`${context.columns.map((column) => csvField(column.name)).join(',')}\n`, 'utf8')]),
      footer: () => NO_BYTES,
      rowSeparatorBytes: 0,
    }),
  maxOutput: (rowBytes) => rowBytes,
};

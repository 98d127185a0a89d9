import type { RowChunk, RowDialect } from '@export-service/export-core';
import type { SqlQuery } from './sql';

const SETTING_PREFIX = 'export_service.p';

function settingText(value: unknown): string {
  if (Array.isArray(value)) return `{${value.map((item) => `"${String(item).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * COPY takes no bind parameters, so values travel as transaction-local settings: one parameterised
 * `set_config` per value, and the COPY text reads each back once through an InitPlan
 * `(SELECT current_setting(...)::type)`. No value is ever spliced into SQL.
 */
export function toCopyStatement(query: SqlQuery, dialect: RowDialect): { setup: SqlQuery | null; copy: string } {
  // The outer cast (free: same type) keeps `x = ANY(...)` an array comparison; a bare scalar
  // subquery there would be read as `x = ANY (subquery)`.
  const body = query.text.replace(/\$(\d+)::([a-z_]+(?:\[\])?)/g, (_, index: string, cast: string) => `(SELECT current_setting('${SETTING_PREFIX}${index}')::${cast})::${cast}`);
  if (/\$\d/.test(body)) throw new Error('every placeholder of a COPY query needs an explicit cast');
  // Text dialects produce one JSON or XML text per row; an unused quote and delimiter keep COPY from escaping it.
  const options = dialect === 'csv' ? 'FORMAT csv' : `FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'`;
  const copy = `COPY (${body}) TO STDOUT WITH (${options})`;
  if (query.values.length === 0) return { setup: null, copy };
  const calls = query.values.map((_, index) => `set_config('${SETTING_PREFIX}${index + 1}', $${index + 1}, true)`);
  return { setup: { text: `SELECT ${calls.join(', ')}`, values: query.values.map(settingText) }, copy };
}

/** The byte pretty JSON rows carry for a line break (COPY would quote a row with a real one). */
const PRETTY_LINE_BREAK = 0x03;

/** A chunk as the encoder reads it: pretty JSON gets its line breaks back, byte for byte (same length, so row ends hold). */
export function restoreRowText(chunk: RowChunk, dialect: RowDialect): RowChunk {
  if (dialect !== 'json_pretty') return chunk;
  const data = chunk.data;
  for (let i = data.indexOf(PRETTY_LINE_BREAK); i !== -1; i = data.indexOf(PRETTY_LINE_BREAK, i + 1)) data[i] = 0x0a;
  return chunk;
}

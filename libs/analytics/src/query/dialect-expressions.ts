import { XLSX_MAX_CELL_CHARS, XLSX_STYLE, type ColumnType } from '@export-service/contracts';

/** ISO-8601 UTC with microseconds, as every text format writes timestamps. */
export function isoTimestamp(ref: string): string {
  return `to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * Text that a spreadsheet would run as a formula (`= + - @`, or a leading tab or CR) gets a `'` in
 * front (OWASP's CSV injection advice); opt-in, because it changes the values.
 */
function formulaGuarded(ref: string): string {
  return `CASE WHEN ${ref} ~ '^[=+@\t\r-]' THEN '''' || ${ref} ELSE ${ref} END`;
}

/** A column as PostgreSQL's COPY CSV should print it; `isFormulaGuarded` neutralises spreadsheet formulas in text. */
export function csvExpression(ref: string, type: ColumnType, isFormulaGuarded = false): string {
  switch (type) {
    case 'text':
      return isFormulaGuarded ? formulaGuarded(ref) : ref;
    case 'timestamp':
      return isoTimestamp(ref);
    case 'date':
      return `to_char(${ref}, 'YYYY-MM-DD')`;
    case 'boolean':
      return `${ref}::text`;
    default:
      return ref;
  }
}

/** A column as row_to_json should see it: native JSON types, timestamps as ISO strings. */
export function jsonExpression(ref: string, type: ColumnType): string {
  if (type === 'timestamp') return isoTimestamp(ref);
  if (type === 'date') return `to_char(${ref}, 'YYYY-MM-DD')`;
  return ref;
}

const CONTROL_CODES = [...Array.from({ length: 31 }, (_, i) => i + 1).filter((code) => ![9, 10, 13].includes(code)), 0xfffe, 0xffff];

/**
 * Text made safe for a SpreadsheetML `<t>` element: cut to Excel's cell limit, `_xHHHH_` look-alikes
 * escaped, characters XML 1.0 forbids written as `_xHHHH_` (which Excel and LibreOffice decode),
 * markup escaped, and line breaks as character references so every row stays on one line.
 */
function xlsxText(ref: string): string {
  const cut = `left(${ref}, ${XLSX_MAX_CELL_CHARS})`;
  const escapedLookalikes = `regexp_replace(${cut}, '_(x[0-9A-Fa-f]{4}_)', '_x005F_\\1', 'g')`;
  const escapedControls = CONTROL_CODES.reduce((inner, code) => `replace(${inner}, chr(${code}), '_x${code.toString(16).toUpperCase().padStart(4, '0')}_')`, escapedLookalikes);
  const rare = `${cut} ~ '[\\x01-\\x08\\x0B\\x0C\\x0E-\\x1F\\uFFFE\\uFFFF]|_x[0-9A-Fa-f]{4}_'`;
  const plain = `CASE WHEN ${rare} THEN ${escapedControls} ELSE ${cut} END`;
  return `replace(replace(replace(replace(replace(${plain}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), E'\\r', '&#13;'), E'\\n', '&#10;')`;
}

function inlineString(text: string): string {
  return `'<c t="inlineStr"><is><t xml:space="preserve">' || ${text} || '</t></is></c>'`;
}

/** One SpreadsheetML cell; NULL becomes an empty `<c/>` so later cells keep their column. */
export function xlsxCell(ref: string, type: ColumnType): string {
  switch (type) {
    case 'integer':
    case 'bigint':
      return `COALESCE('<c><v>' || ${ref}::text || '</v></c>', '<c/>')`;
    case 'numeric':
    case 'double':
      return `CASE WHEN ${ref} IS NULL THEN '<c/>' WHEN ${ref} IN ('NaN', 'Infinity', '-Infinity') THEN ${inlineString(`${ref}::text`)} ELSE '<c><v>' || ${ref}::text || '</v></c>' END`;
    case 'boolean':
      return `CASE WHEN ${ref} IS NULL THEN '<c/>' WHEN ${ref} THEN '<c t="b"><v>1</v></c>' ELSE '<c t="b"><v>0</v></c>' END`;
    case 'timestamp':
      // Excel keeps milliseconds: truncate to them here, so readers never round a row into the next day.
      return `COALESCE('<c s="${XLSX_STYLE.dateTime}"><v>' || trim_scale(round(extract(epoch FROM date_trunc('milliseconds', ${ref})) / 86400 + 25569, 12))::text || '</v></c>', '<c/>')`;
    case 'date':
      return `COALESCE('<c s="${XLSX_STYLE.date}"><v>' || (${ref} - DATE '1899-12-30')::text || '</v></c>', '<c/>')`;
    default:
      return `COALESCE(${inlineString(xlsxText(`${ref}::text`))}, '<c/>')`;
  }
}

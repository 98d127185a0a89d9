import { XLSX_MAX_CELL_CHARS, type ColumnSchema, type ColumnProfile, type ExportFormat, type SourceProfile } from '@export-service/contracts';

/** Excel's date system starts at 1900-01-01 and counts a 29 February 1900 that never was: only later days are exact. */
const EXCEL_FIRST_EXACT = '1900-03-01';
const EXCEL_LAST = '9999-12-31T23:59:59.999';
/** Excel keeps 15 significant digits. */
const EXCEL_MAX_INTEGER = 999_999_999_999_999n;

/** A value a format cannot hold exactly, named. */
export interface ValueProblem {
  column: string;
  problem: string;
}

/**
 * The profile of the values as a file of `format` holds them: Excel cells keep at most 32,767
 * characters and instants to the millisecond, which is what its writer puts in the file.
 */
export function profileAsWritten(format: ExportFormat, profile: SourceProfile): SourceProfile {
  if (format !== 'excel') return profile;
  return {
    ...profile,
    columns: profile.columns.map((column) => ({
      ...column,
      ...(column.maxChars != null ? { maxChars: Math.min(column.maxChars, XLSX_MAX_CELL_CHARS) } : {}),
      ...(column.firstSubMillisecond !== undefined ? { firstSubMillisecond: null, min: toMillis(column.min), max: toMillis(column.max) } : {}),
    })),
  };
}

function toMillis(instant: string | null | undefined): string | null {
  return instant ? instant.replace(/(\.\d{3})\d*Z$/, '$1000Z') : null;
}

/**
 * The values of a source that `format` cannot hold exactly (so a conversion must refuse rather than
 * cut them), from its recorded profile. Json text lengths that were never measured are not guessed:
 * the converting worker measures them before it writes anything.
 */
export function valueProblems(format: ExportFormat, columns: ColumnSchema[], profile: SourceProfile): ValueProblem[] {
  const problems: ValueProblem[] = [];
  for (const column of columns) {
    const facts = profile.columns.find((candidate) => candidate.name === column.name);
    if (!facts) continue;
    const found = format === 'excel' ? excelProblem(column, facts) : format === 'parquet' ? parquetProblem(column, facts) : null;
    if (found) problems.push({ column: column.name, problem: found });
  }
  return problems;
}

function excelProblem(column: ColumnSchema, facts: ColumnProfile): string | null {
  if (facts.maxChars != null && facts.maxChars > XLSX_MAX_CELL_CHARS)
    return `holds a text of ${facts.maxChars.toLocaleString('en-US')} characters; an Excel cell holds at most ${XLSX_MAX_CELL_CHARS.toLocaleString('en-US')}`;
  if (facts.firstSubMillisecond) return `holds ${facts.firstSubMillisecond}, finer than the millisecond Excel keeps`;
  if ((column.type === 'timestamp' || column.type === 'date') && facts.min && facts.min < EXCEL_FIRST_EXACT)
    return `holds ${facts.min}, before 1900-03-01, where Excel's dates are exact`;
  if ((column.type === 'timestamp' || column.type === 'date') && facts.max && facts.max > EXCEL_LAST) return `holds ${facts.max}, after Excel's last date (9999-12-31)`;
  if (facts.firstBeyond15Digits) return `holds ${facts.firstBeyond15Digits}, more than the 15 significant digits Excel keeps`;
  if (column.type === 'integer' || column.type === 'bigint') {
    const beyond = [facts.min, facts.max].find((value) => value != null && absBigInt(value) > EXCEL_MAX_INTEGER);
    if (beyond) return `holds ${beyond}, more than the 15 significant digits Excel keeps`;
  }
  return null;
}

function parquetProblem(column: ColumnSchema, facts: ColumnProfile): string | null {
  if (column.type === 'numeric' && facts.firstNonFinite) return `holds ${facts.firstNonFinite}, which a Parquet DECIMAL cannot hold`;
  return null;
}

function absBigInt(value: string): bigint {
  const n = BigInt(value);
  return n < 0n ? -n : n;
}

import type { Compression, ExportFormat } from '@export-service/contracts';
import { describeParquetWithDuckDb, parseCsv, queryWithDuckDb, summarizeXlsxFiles } from '@export-service/testing';
import { innerBytes, innerBytesWith7z, scratchFile, type ProducedFile } from './run-to-files';

/** DuckDB's types of the user_activity columns in a Parquet file, by column name. */
export const USER_ACTIVITY_PARQUET_TYPES: Record<string, string> = {
  id: 'BIGINT',
  user_id: 'VARCHAR',
  session_id: 'VARCHAR',
  action: 'VARCHAR',
  resource_type: 'VARCHAR',
  resource_id: 'VARCHAR',
  credits: 'DECIMAL(14,4)',
  duration_ms: 'INTEGER',
  success: 'BOOLEAN',
  metadata: 'VARCHAR',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
};

/** What one part holds: the values of its first column (the key), in file order. */
export interface PartContent {
  file: ProducedFile;
  keys: string[];
  /** The inner (decompressed) bytes. */
  inner: Buffer;
}

/** Why a part is not a complete, valid file on its own (thrown, with the file named). */
function invalid(file: ProducedFile, reason: string): Error {
  return new Error(`${file.info.filename} (${file.path}): ${reason}`);
}

/**
 * Reads every part of an export on its own: decompressed with the real tool (and 7-Zip, which must
 * agree), then checked as a complete file of its format (CSV header, closed JSON array, JSON Lines,
 * a Parquet footer DuckDB reads, a workbook openpyxl opens) and its first column returned.
 */
export async function readParts(files: ProducedFile[], format: ExportFormat, compression: Compression, fields: string[], scratchDir: string): Promise<PartContent[]> {
  const parts: PartContent[] = [];
  const workbooks: Array<{ index: number; path: string }> = [];
  for (const file of files) {
    const inner = await innerBytes(file, compression, scratchDir);
    if (!(await innerBytesWith7z(file, compression)).equals(inner)) throw invalid(file, '7-Zip decompresses it to different bytes');
    const text = inner.toString('utf8');
    let keys: string[] = [];
    switch (format) {
      case 'csv': {
        const body = text.replace(/^\uFEFF/, '');
        if (!body.startsWith(`${fields.join(',')}\n`)) throw invalid(file, `does not start with its header: ${JSON.stringify(body.slice(0, 80))}`);
        keys = (await parseCsv(inner)).map((row) => row[fields[0] as string] as string);
        break;
      }
      case 'json': {
        if (!/^\[\n[\s\S]*\]\n$/.test(text)) throw invalid(file, `is not one closed JSON array: …${JSON.stringify(text.slice(-40))}`);
        const rows = JSON.parse(text) as Array<Record<string, unknown>>;
        keys = rows.map((row) => String(row[fields[0] as string]));
        break;
      }
      case 'jsonl': {
        if (text.length > 0 && !text.endsWith('\n')) throw invalid(file, 'does not end with a newline');
        const lines = text.length === 0 ? [] : text.slice(0, -1).split('\n');
        keys = lines.map((line) => String((JSON.parse(line) as Record<string, unknown>)[fields[0] as string]));
        break;
      }
      case 'parquet': {
        const path = await scratchFile(scratchDir, file.info.filename.replace(/\.(gz|zip|bz2)$/, ''), inner);
        const columns = await describeParquetWithDuckDb(path);
        if (columns.map((column) => column.name).join(',') !== fields.join(',')) throw invalid(file, `has columns ${columns.map((column) => column.name).join(',')}`);
        const rows = await queryWithDuckDb(path, `SELECT "${fields[0]}"::VARCHAR AS k FROM read_parquet({path})`);
        keys = rows.map((row) => String(row.k));
        break;
      }
      case 'excel':
        workbooks.push({ index: parts.length, path: await scratchFile(scratchDir, file.info.filename.replace(/\.(gz|zip|bz2)$/, ''), inner) });
        break;
    }
    parts.push({ file, keys, inner });
  }
  const summaries = await summarizeXlsxFiles(workbooks.map((workbook) => workbook.path));
  workbooks.forEach((workbook, position) => {
    const part = parts[workbook.index] as PartContent;
    const sheets = summaries[position] ?? [];
    const problems = sheets.flatMap((sheet) => [
      sheet.frozen === 'A2' ? null : `sheet ${sheet.name} is not frozen at A2`,
      sheet.boldHeader ? null : `sheet ${sheet.name} has no bold header`,
      JSON.stringify(sheet.header) === JSON.stringify(fields) ? null : `sheet ${sheet.name} has header ${JSON.stringify(sheet.header)}`,
    ]);
    if (sheets.length === 0) problems.push('has no sheet');
    const problem = problems.find((entry) => entry !== null);
    if (problem) throw invalid(part.file, problem);
    part.keys = sheets.flatMap((sheet) => sheet.firstColumn.map((value) => String(value)));
  });
  return parts;
}

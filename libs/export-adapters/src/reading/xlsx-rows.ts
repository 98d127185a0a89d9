import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import type { ColumnSchema } from '@export-service/contracts';
import { sheetName } from '../formats/xlsx/xlsx-parts';
import { csvField } from './csv-field';
import { ZipReader } from './zip-reader';

/** A cell as the sheet holds it: its type attribute and its text (inline string or value), null when empty. */
interface Cell {
  type: string | null;
  text: string | null;
}

const DAY_MS = 86_400_000;
/** Excel's day 0 in the 1900 date system, as Unix milliseconds (1899-12-30). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** Decodes OOXML's `_xHHHH_` escapes (ECMA-376 ST_Xstring): `_x005F_` stands for a literal `_`. */
function decodeEscapes(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** A cell's value as text PostgreSQL reads for the recorded type, or null. */
function cellValue(cell: Cell | undefined, column: ColumnSchema): string | null {
  if (!cell || cell.text === null) return null;
  if (cell.type === 'inlineStr' || cell.type === 'str') return decodeEscapes(cell.text);
  if (cell.type === 'b') return cell.text === '1' ? 'true' : 'false';
  switch (column.type) {
    case 'timestamp':
      return `${new Date(Math.round((Number(cell.text) - 25569) * DAY_MS)).toISOString().replace('Z', '000Z')}`;
    case 'date':
      return new Date(EXCEL_EPOCH_MS + Math.round(Number(cell.text)) * DAY_MS).toISOString().slice(0, 10);
    default:
      return cell.text;
  }
}

/** Column index of a cell reference (`C7` → 2). */
function columnIndex(reference: string): number {
  let index = 0;
  for (const letter of reference.replace(/\d+$/, '')) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

/** The sheets of a workbook in order, as (name, part path). */
async function workbookSheets(zip: ZipReader): Promise<Array<{ name: string; path: string }>> {
  const read = async (name: string) => {
    const entry = zip.entries.find((candidate) => candidate.name === name);
    if (!entry) throw new Error(`it has no ${name}`);
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openEntry(entry, null)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const workbook = await read('xl/workbook.xml');
  const rels = await read('xl/_rels/workbook.xml.rels');
  const targets = new Map([...rels.matchAll(/<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"/g)].map((match) => [match[1], match[2]]));
  return [...workbook.matchAll(/<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]+)"/g)].map((match) => ({
    name: (match[1] as string)
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
    path: `xl/${(targets.get(match[2] as string) ?? '').replace(/^\/?xl\//, '')}`,
  }));
}

/** What reading a workbook's rows for one source yields: its header, then CSV rows in the recorded column types. */
export interface XlsxRows {
  header: string[];
  rows: AsyncIterable<Buffer>;
}

/**
 * The rows of one data source in an .xlsx file: the sheets named after `title` (`title`, `title (2)`,
 * ... past Excel's row limit), or every sheet when `title` is null. Each row becomes a CSV line with
 * its values as PostgreSQL reads them for the recorded types (serial dates back to instants, `_xHHHH_`
 * escapes decoded, empty cells NULL and empty strings quoted).
 */
export async function readXlsxRows(path: string, columns: ColumnSchema[], title: string | null): Promise<XlsxRows> {
  const zip = await ZipReader.open(path);
  const all = await workbookSheets(zip);
  const sheets = title === null ? all : all.filter((sheet) => Array.from({ length: all.length }, (_, k) => sheetName(title, k + 1)).includes(sheet.name));
  if (sheets.length === 0) throw new Error(title === null ? 'it has no sheet' : `it has no sheet named ${JSON.stringify(sheetName(title, 1))}`);
  const first = sheets[0] as { name: string; path: string };
  const headerOf = async (sheet: { name: string; path: string }) => {
    for await (const row of sheetRows(zip, sheet.path)) return row.map((cell) => cell?.text ?? '');
    return [];
  };
  const header = await headerOf(first);
  async function* rows(): AsyncIterable<Buffer> {
    for (const sheet of sheets) {
      let isHeader = true;
      let lines: string[] = [];
      for await (const row of sheetRows(zip, sheet.path)) {
        if (isHeader) {
          isHeader = false;
          const names = row.map((cell) => cell?.text ?? '');
          if (names.join('\u0000') !== header.join('\u0000'))
            throw new Error(`sheet ${JSON.stringify(sheet.name)} has the header ${JSON.stringify(names)}, not ${JSON.stringify(header)}`);
          continue;
        }
        if (row.length > columns.length) throw new Error(`sheet ${JSON.stringify(sheet.name)} has a row of ${row.length} cells, more than its ${columns.length} columns`);
        lines.push(columns.map((column, index) => csvField(cellValue(row[index], column))).join(','));
        if (lines.length >= 2_000) {
          yield Buffer.from(`${lines.join('\n')}\n`, 'utf8');
          lines = [];
        }
      }
      if (lines.length > 0) yield Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    }
  }
  return { header, rows: rows() };
}

/** Rows of one worksheet as cell arrays, streamed through a SAX parser (memory stays flat). */
async function* sheetRows(zip: ZipReader, partPath: string): AsyncIterable<Array<Cell | undefined>> {
  const entry = zip.entries.find((candidate) => candidate.name === partPath);
  if (!entry) throw new Error(`it has no ${partPath}`);
  const stream: Readable = await zip.openEntry(entry, null);
  const parser = new SaxesParser();
  const decoder = new StringDecoder('utf8');
  const done: Array<Array<Cell | undefined>> = [];
  let row: Array<Cell | undefined> | null = null;
  let cell: Cell | null = null;
  let cellAt = 0;
  let text: string | null = null;
  parser.on('opentag', (tag) => {
    if (tag.name === 'row') {
      row = [];
      cellAt = 0;
    } else if (tag.name === 'c' && row) {
      const reference = tag.attributes.r;
      if (typeof reference === 'string') cellAt = columnIndex(reference);
      cell = { type: typeof tag.attributes.t === 'string' ? tag.attributes.t : null, text: null };
    } else if ((tag.name === 'v' || tag.name === 't') && cell) text = '';
  });
  parser.on('text', (value) => {
    if (text !== null) text += value;
  });
  parser.on('closetag', (tag) => {
    if ((tag.name === 'v' || tag.name === 't') && cell) {
      cell.text = (cell.text ?? '') + (text ?? '');
      text = null;
    } else if (tag.name === 'c' && row && cell) {
      if (cell.type === 's') throw new Error('it uses shared strings, which these exports never write');
      // An inline string cell with no text is an empty string, not an empty cell.
      if (cell.type === 'inlineStr' && cell.text === null) cell.text = '';
      row[cellAt] = cell;
      cellAt += 1;
      cell = null;
    } else if (tag.name === 'row' && row) {
      done.push(row);
      row = null;
    }
  });
  for await (const chunk of stream) {
    parser.write(decoder.write(chunk as Buffer));
    while (done.length > 0) yield done.shift() as Array<Cell | undefined>;
  }
  parser.write(decoder.end());
  parser.close();
  while (done.length > 0) yield done.shift() as Array<Cell | undefined>;
}

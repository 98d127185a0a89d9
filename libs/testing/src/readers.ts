import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'fast-csv';
import { runToolOk } from './tools';

/** Undoes the outer compression with the real tools (gzip, bzip2, unzip), never with our own code. */
export async function decompress(bytes: Buffer, compression: string, dir: string, entryName?: string): Promise<Buffer> {
  const path = join(dir, `in-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, bytes);
  switch (compression) {
    case 'none':
      return bytes;
    case 'gzip':
      return runToolOk('gzip', ['-dc', path]);
    case 'bz2':
      return runToolOk('bzip2', ['-dc', path]);
    case 'zip':
      return runToolOk('unzip', ['-p', path, ...(entryName ? [entryName] : [])]);
    default:
      throw new Error(`unknown compression ${compression}`);
  }
}

/** Parses CSV with an independent parser (fast-csv), header row first; the BOM is dropped. */
export function parseCsv(bytes: Buffer): Promise<Array<Record<string, string>>> {
  return new Promise((resolve, reject) => {
    const rows: Array<Record<string, string>> = [];
    const parser = parse({ headers: true, ignoreEmpty: false, trim: false })
      .on('data', (row: Record<string, string>) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    parser.end(text);
  });
}

/** Parses JSON Lines. */
export function parseJsonLines(bytes: Buffer): unknown[] {
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
}

/** Reads every sheet of an .xlsx with Python's openpyxl: [{name, frozen, boldHeader, rows}]. */
export async function readXlsxWithOpenpyxl(path: string): Promise<Array<{ name: string; frozen: string | null; boldHeader: boolean; rows: unknown[][] }>> {
  const script = `
import json, sys, datetime, decimal, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def cell(v):
    if isinstance(v, datetime.datetime): return {"datetime": v.isoformat()}
    if isinstance(v, datetime.date): return {"date": v.isoformat()}
    if isinstance(v, decimal.Decimal): return float(v)
    return v
out = []
for ws in wb.worksheets:
    out.append({"name": ws.title, "frozen": ws.freeze_panes, "boldHeader": bool(ws["A1"].font.b),
                "rows": [[cell(c.value) for c in row] for row in ws.iter_rows()]})
json.dump(out, sys.stdout)
`;
  const python = (await import('node:fs')).existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  return JSON.parse((await runToolOk(python, ['-c', script, path])).toString('utf8')) as Array<{ name: string; frozen: string | null; boldHeader: boolean; rows: unknown[][] }>;
}

/** Reads a gzip file in memory (small test files only). */
export async function readGzipFile(path: string): Promise<Buffer> {
  return gunzipSync(await readFile(path));
}

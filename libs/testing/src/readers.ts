import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

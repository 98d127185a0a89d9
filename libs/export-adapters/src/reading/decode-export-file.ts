import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ColumnSchema, Compression, ExportFormat } from '@export-service/contracts';
import type { ArtifactStore } from '@export-service/export-core';
import { bzip2Command } from '../compression/bzip2-command';
import { parseCsvRecord } from './csv-field';
import { jsonDocuments } from './json-elements';
import { decryptOpenpgpFile } from './openpgp.decrypt';
import { readParquetRows } from './parquet-rows';
import { UnreadableFileError } from './unreadable-file';
import { readXlsxRows } from './xlsx-rows';
import { ZipReader } from './zip-reader';

/** A stored data file of an export, as its row recorded it. */
export interface StoredExportFile {
  filename: string;
  storageKey: string;
  format: ExportFormat;
  compression: Compression;
  encrypted: boolean;
  sha256: string;
  bytes: number;
}

/** How to read a file. */
export interface DecodeOptions {
  /** The export's password, when its files are encrypted. */
  password: string | null;
  /** Where the file is staged while it is read (removed by `close`). */
  scratchDir: string;
  /** The recorded columns: typed values (Excel, Parquet) are written for them. */
  columns: ColumnSchema[];
  /** Excel: the sheets of this title (one source of a workbook); all sheets when null. */
  sheetTitle?: string | null;
}

/** Rows of a file decoded for loading: CSV records (no header), or one compact JSON object per line. */
export interface DecodedRows {
  kind: 'csv' | 'json';
  chunks: AsyncIterable<Buffer>;
}

/** A stored file, opened: what storage held, what the file declares, and its rows. */
export interface DecodedExportFile {
  /** SHA-256 and size of the stored bytes as read now. */
  storedSha256: string;
  storedBytes: number;
  /** Column names as the file declares them: CSV header, the first JSON object's keys, the sheet header, the Parquet schema. */
  header: string[];
  /** Parquet: the DuckDB type of each header column. */
  headerTypes: string[] | null;
  rows: DecodedRows;
  close(): Promise<void>;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Opens a stored export file the way its export wrote it: stages the stored bytes (hashing them),
 * decrypts (OpenPGP, or WinZip AES inside a zip), decompresses (gzip, bz2, zip) and reads the
 * format's header. Any problem (missing, truncated, wrong password, not parseable) is an
 * UnreadableFileError naming the file, also when it surfaces later while the rows are read.
 */
export async function decodeExportFile(store: ArtifactStore, file: StoredExportFile, options: DecodeOptions): Promise<DecodedExportFile> {
  await mkdir(options.scratchDir, { recursive: true });
  const dir = await mkdtemp(join(options.scratchDir, 'read-'));
  const close = () => rm(dir, { recursive: true, force: true });
  const unreadable = (error: unknown) => (error instanceof UnreadableFileError ? error : new UnreadableFileError(file.filename, problemOf(error), { cause: error }));
  try {
    const stored = await stage(store, file, join(dir, 'stored'));
    if (file.encrypted && !options.password) throw new UnreadableFileError(file.filename, 'is encrypted: the export password is needed to read it');
    const inner = await openInner(join(dir, 'stored'), file, options.password);
    const opened = await readFormat(inner, file, options, dir);
    return { ...stored, ...opened, rows: { kind: opened.rows.kind, chunks: rethrowing(opened.rows.chunks, unreadable) }, close };
  } catch (error) {
    await close();
    throw unreadable(error);
  }
}

/** Copies the stored file to scratch while hashing it. */
async function stage(store: ArtifactStore, file: StoredExportFile, path: string): Promise<{ storedSha256: string; storedBytes: number }> {
  if ((await store.stat(file.storageKey)) === null) throw new UnreadableFileError(file.filename, 'is missing from storage');
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(await store.read(file.storageKey), tap, createWriteStream(path));
  return { storedSha256: hash.digest('hex'), storedBytes: bytes };
}

/** The file's format bytes: decrypted and decompressed. */
async function openInner(path: string, file: StoredExportFile, password: string | null): Promise<Readable> {
  if (file.compression === 'zip') {
    const zip = await ZipReader.open(path);
    const entryName = file.filename.replace(/\.zip$/, '');
    const entry = zip.entries.find((candidate) => candidate.name === entryName) ?? (zip.entries.length === 1 ? zip.entries[0] : undefined);
    if (!entry) throw new Error(`its archive has no entry ${JSON.stringify(entryName)}`);
    return zip.openEntry(entry, file.encrypted ? password : null);
  }
  const source = file.encrypted ? await decryptOpenpgpFile(path, password as string) : createReadStream(path, { highWaterMark: 256 * 1024 });
  if (file.compression === 'gzip') return source.pipe(createGunzip({ chunkSize: 128 * 1024 })).on('error', () => undefined);
  if (file.compression === 'bz2') return bunzip2(source);
  return source;
}

/** bzip2 data through the spawned decoder (lbzip2, else bzip2), which reads multi-stream files as one. */
function bunzip2(source: Readable): Readable {
  const command = bzip2Command();
  if (!command) throw new Error('bzip2 is not installed on this machine');
  const child = spawn(command, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const output = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on('error', () => undefined);
  source.on('error', (error) => output.destroy(error));
  source.pipe(child.stdin);
  child.stdout.pipe(output, { end: false });
  child.on('close', (code) => {
    if (code === 0) output.end();
    else output.destroy(new Error(`its bzip2 data is damaged or truncated (${stderr.trim().split('\n').pop() ?? `exit ${code}`})`));
  });
  return output;
}

async function readFormat(inner: Readable, file: StoredExportFile, options: DecodeOptions, dir: string): Promise<Pick<DecodedExportFile, 'header' | 'headerTypes' | 'rows'>> {
  switch (file.format) {
    case 'csv': {
      const { first, rest } = await splitFirstLine(inner);
      const line = (first.subarray(0, 3).equals(UTF8_BOM) ? first.subarray(3) : first).toString('utf8').replace(/\r$/, '');
      return { header: line.length === 0 ? [] : parseCsvRecord(line), headerTypes: null, rows: { kind: 'csv', chunks: rest } };
    }
    case 'json':
    case 'jsonl': {
      const { first, rest } = await splitFirstLine(jsonDocuments(inner, file.format === 'json'));
      const header = first.length === 0 ? [] : Object.keys(JSON.parse(first.toString('utf8')) as object);
      return { header, headerTypes: null, rows: { kind: 'json', chunks: prepend(first.length > 0 ? Buffer.concat([first, Buffer.from('\n')]) : null, rest) } };
    }
    case 'excel': {
      const path = await asLocalFile(inner, file, join(dir, 'stored'), join(dir, 'inner.xlsx'));
      const read = await readXlsxRows(path, options.columns, options.sheetTitle ?? null);
      return { header: read.header, headerTypes: null, rows: { kind: 'csv', chunks: read.rows } };
    }
    case 'parquet': {
      const path = await asLocalFile(inner, file, join(dir, 'stored'), join(dir, 'inner.parquet'));
      const read = await readParquetRows(path, options.columns, dir);
      return { header: read.header, headerTypes: read.types, rows: { kind: 'csv', chunks: read.csv } };
    }
  }
}

/** A path to the format's bytes: the staged file itself when nothing wraps it, else the inner bytes written out. */
async function asLocalFile(inner: Readable, file: StoredExportFile, storedPath: string, innerPath: string): Promise<string> {
  if (file.compression === 'none' && !file.encrypted) {
    inner.destroy();
    return storedPath;
  }
  await pipeline(inner, createWriteStream(innerPath));
  return innerPath;
}

/** The bytes up to the first `\n` (without it) and an iterable of everything after it. */
async function splitFirstLine(chunks: AsyncIterable<Buffer>): Promise<{ first: Buffer; rest: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { first: Buffer.concat(seen), rest: prepend(null, emptyIterator()) };
    const chunk = next.value as Buffer;
    const newline = chunk.indexOf(0x0a);
    if (newline === -1) {
      seen.push(chunk);
      continue;
    }
    seen.push(chunk.subarray(0, newline));
    const tail = chunk.subarray(newline + 1);
    return { first: Buffer.concat(seen), rest: prepend(tail.length > 0 ? tail : null, { [Symbol.asyncIterator]: () => iterator }) };
  }
}

async function* emptyIterator(): AsyncIterable<Buffer> {}

async function* prepend(head: Buffer | null, rest: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  if (head) yield head;
  for await (const chunk of rest) yield chunk as Buffer;
}

async function* rethrowing(chunks: AsyncIterable<Buffer>, wrap: (error: unknown) => Error): AsyncIterable<Buffer> {
  try {
    for await (const chunk of chunks) yield chunk as Buffer;
  } catch (error) {
    throw wrap(error);
  }
}

/** A reader's error as a short sentence about the file. */
function problemOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/unexpected end of file/i.test(message)) return 'its compressed data ends early (truncated)';
  if (/incorrect header check|invalid (block type|distance|stored block|code lengths)|invalid .* set/i.test(message)) return `its compressed data is damaged (${message})`;
  if (/Session key decryption failed|Error decrypting message: (Session key|Modification detected)/i.test(message)) return 'the password does not decrypt it';
  if (/Modification detected|MDC/i.test(message)) return 'its encrypted data was altered (integrity check failed)';
  if (/Error reading|Malformed|packet/i.test(message)) return `its encrypted data is damaged (${message})`;
  return message.startsWith('it') || message.startsWith('the') ? message : `cannot be read: ${message}`;
}

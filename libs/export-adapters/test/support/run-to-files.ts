import { randomUUID } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PgRowSource } from '@export-service/analytics';
import type { Compression, DataFileInfo, ExportFormat, ExportManifest, ExportSpec, SourceSpec } from '@export-service/contracts';
import { runExport, type ExportOutcome, type ExportPorts, type ProgressSink } from '@export-service/export-core';
import { compressors, createEncoders, LocalArtifactStore, openpgpEncryptor } from '@export-service/export-adapters';
import { decompress, runToolOk, type TestEnvironment } from '@export-service/testing';

/** Every column of user_activity, in catalog order. */
export const USER_ACTIVITY_FIELDS = ['id', 'user_id', 'session_id', 'action', 'resource_type', 'resource_id', 'credits', 'duration_ms', 'success', 'metadata', 'timestamp'];

/** The format-specific extension of each format, before any compression suffix. */
export const FORMAT_EXTENSION: Record<ExportFormat, string> = { csv: 'csv', json: 'json', jsonl: 'jsonl', excel: 'xlsx', parquet: 'parquet' };

/** The compression suffix of each compression. */
export const COMPRESSION_SUFFIX: Record<Compression, string> = { none: '', gzip: '.gz', zip: '.zip', bz2: '.bz2' };

const silentProgress: ProgressSink = { report: () => undefined, flush: async () => undefined };

/** A user_activity source over every column, no filters. */
export function activitySource(overrides: Partial<SourceSpec> = {}): SourceSpec {
  return { type: 'user_activity', fields: USER_ACTIVITY_FIELDS, filters: {}, aggregation: null, ...overrides };
}

/** A validated export spec as the worker would run it, with test defaults. */
export function exportSpec(overrides: Partial<ExportSpec> = {}): ExportSpec {
  return {
    name: 'test export',
    sources: [activitySource()],
    format: 'csv',
    compression: 'none',
    split: { by: 'none', maxBytes: null },
    parquetCompression: 'snappy',
    delivery: { method: 'download' },
    encryption: { enabled: false, container: null, passwordProtected: false },
    ...overrides,
  };
}

/** The real adapters, pointed at the test world. */
export function exportPorts(env: TestEnvironment): ExportPorts {
  return {
    rowSource: new PgRowSource(env.config.database.analyticsUrl),
    store: new LocalArtifactStore(env.config.storage.dir, (key) => `signed:${key}`),
    encoders: createEncoders(env.config.storage.workDir),
    compressors,
    encryptor: openpgpEncryptor,
  };
}

/** A produced data file and where it sits on disk. */
export interface ProducedFile {
  info: DataFileInfo;
  path: string;
  /** Size on disk, measured, not taken from the pipeline. */
  sizeOnDisk: number;
}

/** A finished export: its data files, its manifest (read from disk) and the outcome. */
export interface ExportRun {
  outcome: ExportOutcome;
  files: ProducedFile[];
  manifest: ExportManifest;
}

/** Runs `runExport` for one workspace and returns the data files it left in the store. */
export async function runToFiles(env: TestEnvironment, workspaceId: string, spec: ExportSpec): Promise<ExportRun> {
  const outcome = await runExport(spec, exportPorts(env), {
    jobId: `job_${randomUUID()}`,
    workspaceId,
    runId: randomUUID(),
    createdAt: new Date(),
    password: null,
    signal: new AbortController().signal,
    progress: silentProgress,
    notes: [],
  });
  const files: ProducedFile[] = [];
  let manifest: ExportManifest | null = null;
  for (const info of outcome.files) {
    const path = join(env.config.storage.dir, info.storageKey);
    if (info.kind === 'manifest') {
      manifest = JSON.parse(await readFile(path, 'utf8')) as ExportManifest;
      continue;
    }
    const { storageKey: _key, ...data } = info;
    files.push({ info: data, path, sizeOnDisk: (await stat(path)).size });
  }
  if (!manifest) throw new Error('the export wrote no manifest');
  return { outcome, files, manifest };
}

/**
 * The file's inner bytes, undone with the real tool (gzip, bzip2, unzip). For zip, the archive must
 * hold exactly one entry, named like the file without `.zip`.
 */
export async function innerBytes(file: ProducedFile, compression: Compression, scratchDir: string): Promise<Buffer> {
  const bytes = await readFile(file.path);
  if (compression !== 'zip') return decompress(bytes, compression, scratchDir);
  const entries = (await runToolOk('unzip', ['-Z1', file.path])).toString('utf8').split('\n').filter(Boolean);
  const entryName = file.info.filename.replace(/\.zip$/, '');
  if (entries.length !== 1 || entries[0] !== entryName) throw new Error(`${file.info.filename} holds ${JSON.stringify(entries)}, expected only ${entryName}`);
  return decompress(bytes, compression, scratchDir, entryName);
}

/** Decompresses with 7-Zip as a second, independent tool; `none` returns the file as is. */
export async function innerBytesWith7z(file: ProducedFile, compression: Compression): Promise<Buffer> {
  if (compression === 'none') return readFile(file.path);
  return runToolOk('7z', ['x', '-so', file.path]);
}

/** Writes inner bytes to a scratch file (for readers that take a path: openpyxl, DuckDB, hyparquet). */
export async function scratchFile(scratchDir: string, name: string, bytes: Buffer): Promise<string> {
  const path = join(scratchDir, `${randomUUID()}-${name}`);
  await writeFile(path, bytes);
  return path;
}

import type { Readable } from 'node:stream';
import type { ByteSink } from './byte-sink';

/** One attempt of one export: every file it writes sits under this scope's key prefix. */
export interface ArtifactScope {
  workspaceId: string;
  jobId: string;
  /** The attempt (run) id: two attempts never share a key, so neither can touch the other's files. */
  runId: string;
}

/** A file being written to a key. Nothing serves it until the export's row records that key. */
export interface ArtifactWriter extends ByteSink {
  readonly key: string;
}

/** A byte range to read, inclusive of both ends. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What the store knows of a stored file. */
export interface ArtifactStat {
  bytes: number;
}

/**
 * Stores export files (local disk, S3 later). Keys are `<workspace>/<job>/<run>/<file>`: deterministic
 * per attempt, so files are written once, in place, and "promotion" is the job row recording the
 * keys when the export completes; no bytes are copied or renamed.
 */
export interface ArtifactStore {
  /** Opens a new file at `key`; `end()` resolves once it is durable, `destroy()` removes it. */
  create(key: string): Promise<ArtifactWriter>;
  /** Size of a stored file, or null when there is none. */
  stat(key: string): Promise<ArtifactStat | null>;
  /** Streams a stored file or a range of it. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes one file; deleting a missing file is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every file under a key prefix ending in `/`; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** A URL that serves the file without an API key until `ttlSeconds` from now. */
  signedUrl(key: string, ttlSeconds: number): Promise<string>;
}

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Refuses anything but a plain file or directory name: no separators, no `..`, no hidden names. */
export function safeKeySegment(segment: string): string {
  if (!SAFE_SEGMENT.test(segment) || segment.includes('..')) throw new Error(`unsafe storage key segment ${JSON.stringify(segment)}`);
  return segment;
}

/** Key prefix of one attempt: `<workspace>/<job>/<run>/`. */
export function scopePrefix(scope: ArtifactScope): string {
  return `${safeKeySegment(scope.workspaceId)}/${safeKeySegment(scope.jobId)}/${safeKeySegment(scope.runId)}/`;
}

/** Key of one file of an attempt. */
export function artifactKey(scope: ArtifactScope, filename: string): string {
  return `${scopePrefix(scope)}${safeKeySegment(filename)}`;
}

/** True for a key (or a prefix ending in `/`) made of safe segments only. */
export function isSafeKey(key: string, isPrefix = false): boolean {
  const segments = (isPrefix ? key.replace(/\/$/, '') : key).split('/');
  if (isPrefix && !key.endsWith('/')) return false;
  return segments.length > 0 && segments.every((segment) => SAFE_SEGMENT.test(segment) && !segment.includes('..'));
}

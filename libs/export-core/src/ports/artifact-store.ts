import type { Readable } from 'node:stream';
import type { ByteSink } from './byte-sink';

/** Where one export's files live: every key of a job sits under its scope. */
export interface ArtifactScope {
  workspaceId: string;
  jobId: string;
}

/** A file being written; invisible to readers until promoted. */
export interface PartialArtifact extends ByteSink {
  readonly partialKey: string;
}

/** A byte range to read, inclusive of both ends. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Stores export files (local disk now, S3 later). Keys are deterministic per job and file name. */
export interface ArtifactStore {
  /** Opens a hidden partial file under the scope. */
  createPartial(scope: ArtifactScope, filename: string): Promise<PartialArtifact>;
  /** Moves a finished partial file into place under its final name; returns the final key. */
  promote(partial: PartialArtifact, scope: ArtifactScope, filename: string): Promise<string>;
  /** Size of a stored file, or null when missing. */
  size(key: string): Promise<number | null>;
  /** Streams a stored file or a range of it. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes everything under a scope, partial files included. */
  deleteScope(scope: ArtifactScope): Promise<void>;
  /**
   * Deletes partial files older than the cutoff, left by exports that will not finish, skipping jobs
   * `isLive` reports as still queued or running; returns how many were deleted.
   */
  sweepPartials(olderThan: Date, isLive: (scope: ArtifactScope) => Promise<boolean>): Promise<number>;
}

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { ArtifactScope, ArtifactStore, ByteRange, PartialArtifact } from '@export-service/export-core';

const PARTIAL_DIR = '.partial';
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Refuses anything but a plain file or directory name: no separators, no `..`, no hidden names. */
function safeSegment(segment: string): string {
  if (!SAFE_SEGMENT.test(segment) || segment.includes('..')) throw new Error(`unsafe storage path segment ${JSON.stringify(segment)}`);
  return segment;
}

/** A file being written to disk under `.partial/`, fsynced before it can be moved into place. */
class LocalPartial implements PartialArtifact {
  private readonly stream: WriteStream;
  private isEnded = false;

  constructor(
    readonly path: string,
    readonly partialKey: string,
  ) {
    this.stream = createWriteStream(path, { flags: 'wx', highWaterMark: 1024 * 1024 });
    this.stream.on('error', () => undefined);
  }

  async write(chunk: Buffer): Promise<void> {
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async flush(): Promise<void> {}

  async end(): Promise<void> {
    if (this.isEnded) return;
    this.isEnded = true;
    this.stream.end();
    await once(this.stream, 'close');
    const handle = await open(this.path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async destroy(): Promise<void> {
    this.stream.destroy();
    await unlink(this.path).catch(() => undefined);
  }
}

/**
 * Export files on a local disk: `<root>/<workspace>/<job>/<file>`. Files are written under the job's
 * `.partial/` directory and renamed into place, so no reader ever sees half a file.
 */
export class LocalArtifactStore implements ArtifactStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async createPartial(scope: ArtifactScope, filename: string): Promise<PartialArtifact> {
    const dir = join(this.scopeDir(scope), PARTIAL_DIR);
    await mkdir(dir, { recursive: true });
    const name = `${randomUUID()}-${safeSegment(filename)}`;
    return new LocalPartial(join(dir, name), `${this.scopeKey(scope)}/${PARTIAL_DIR}/${name}`);
  }

  async promote(partial: PartialArtifact, scope: ArtifactScope, filename: string): Promise<string> {
    const key = `${this.scopeKey(scope)}/${safeSegment(filename)}`;
    await rename(this.pathOf(partial.partialKey), this.pathOf(key));
    return key;
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch {
      return null;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    await stat(path);
    return createReadStream(path, range ? { start: range.start, end: range.end, highWaterMark: 256 * 1024 } : { highWaterMark: 256 * 1024 });
  }

  async deleteScope(scope: ArtifactScope): Promise<void> {
    await rm(this.scopeDir(scope), { recursive: true, force: true });
  }

  async sweepPartials(olderThan: Date, isLive: (scope: ArtifactScope) => Promise<boolean>): Promise<number> {
    let removed = 0;
    for (const workspace of await listDirs(this.root)) {
      for (const job of await listDirs(join(this.root, workspace))) {
        if (await isLive({ workspaceId: workspace, jobId: job })) continue;
        const dir = join(this.root, workspace, job, PARTIAL_DIR);
        for (const name of await listFiles(dir)) {
          const path = join(dir, name);
          const info = await stat(path).catch(() => null);
          if (info && info.mtime < olderThan) {
            await unlink(path).catch(() => undefined);
            removed += 1;
          }
        }
      }
    }
    return removed;
  }

  private scopeKey(scope: ArtifactScope): string {
    return `${safeSegment(scope.workspaceId)}/${safeSegment(scope.jobId)}`;
  }

  private scopeDir(scope: ArtifactScope): string {
    return this.pathOf(this.scopeKey(scope));
  }

  /** Resolves a key inside the root, or refuses it. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    segments.forEach((segment, index) => (index === 2 && segment === PARTIAL_DIR ? segment : safeSegment(segment)));
    const path = resolve(this.root, ...segments);
    if (!path.startsWith(this.root + sep)) throw new Error('storage key resolves outside the storage root');
    return path;
  }
}

async function listDirs(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory() && SAFE_SEGMENT.test(entry.name)).map((entry) => entry.name);
}

async function listFiles(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { isSafeKey, type ArtifactStat, type ArtifactStore, type ArtifactWriter, type ByteRange } from '@export-service/export-core';
import { asStorageFailure } from './storage-failure';

/** Signs a link to a stored file (the API serves it); see LinkSigner. */
export type LinkSigning = (key: string, ttlSeconds: number) => string;

/**
 * A file being written to disk. The first write error fails every pending and later call, so a
 * full disk fails the export instead of leaving it waiting for a `drain` that never comes.
 */
class LocalWriter implements ArtifactWriter {
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  private isEnded = false;

  constructor(
    readonly key: string,
    private readonly path: string,
  ) {
    this.stream = createWriteStream(path, { flags: 'wx', highWaterMark: 1024 * 1024 });
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    if (this.stream.write(chunk)) return;
    await this.settle('drain');
  }

  async flush(): Promise<void> {
    this.throwIfFailed();
  }

  async end(): Promise<void> {
    if (this.isEnded) return;
    this.isEnded = true;
    this.throwIfFailed();
    this.stream.end();
    await this.settle('close');
    this.throwIfFailed();
    try {
      const handle = await open(this.path, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw asStorageFailure(error);
    }
  }

  async destroy(): Promise<void> {
    // The file may still be opening: unlink only after the stream has closed, or the open recreates it.
    if (!this.stream.closed) {
      const closed = new Promise<void>((resolvePromise) => this.stream.once('close', () => resolvePromise()));
      this.stream.destroy();
      await closed;
    }
    await unlink(this.path).catch(() => undefined);
  }

  /** Waits for `event`, or rejects with the stream's error, whichever comes first. */
  private settle(event: 'drain' | 'close'): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      const onEvent = () => {
        this.stream.off('error', onError);
        if (this.failure && event === 'drain') reject(asStorageFailure(this.failure));
        else resolvePromise();
      };
      const onError = (error: Error) => {
        this.stream.off(event, onEvent);
        reject(asStorageFailure(error));
      };
      if (this.failure) return reject(asStorageFailure(this.failure));
      this.stream.once(event, onEvent);
      this.stream.once('error', onError);
    });
  }

  private throwIfFailed(): void {
    if (this.failure) throw asStorageFailure(this.failure);
  }
}

/**
 * Export files on a local disk, one file per key under the root. A key names its attempt
 * (`<workspace>/<job>/<run>/<file>`), so attempts never share a file, and nothing is served before
 * the job row records the key; no rename is needed to hide a half-written file.
 */
export class LocalArtifactStore implements ArtifactStore {
  private readonly root: string;

  constructor(
    root: string,
    private readonly signLink: LinkSigning,
  ) {
    this.root = resolve(root);
  }

  async create(key: string): Promise<ArtifactWriter> {
    const path = this.pathOf(key);
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      throw asStorageFailure(error);
    }
    return new LocalWriter(key, path);
  }

  async stat(key: string): Promise<ArtifactStat | null> {
    const info = await stat(this.pathOf(key)).catch(() => null);
    return info?.isFile() ? { bytes: info.size } : null;
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    await stat(path);
    return createReadStream(path, range ? { start: range.start, end: range.end, highWaterMark: 256 * 1024 } : { highWaterMark: 256 * 1024 });
  }

  async delete(key: string): Promise<void> {
    await unlink(this.pathOf(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw asStorageFailure(error);
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (!isSafeKey(prefix, true)) throw new Error('storage key prefix must be safe segments ending in "/"');
    const dir = this.pathOf(prefix.slice(0, -1));
    const count = await countFiles(dir);
    await rm(dir, { recursive: true, force: true });
    return count;
  }

  async signedUrl(key: string, ttlSeconds: number): Promise<string> {
    this.pathOf(key);
    return this.signLink(key, ttlSeconds);
  }

  /** Resolves a key inside the root, or refuses it. */
  private pathOf(key: string): string {
    if (!isSafeKey(key)) throw new Error('unsafe storage key');
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new Error('storage key resolves outside the storage root');
    return path;
  }
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let count = 0;
  for (const entry of entries) count += entry.isDirectory() ? await countFiles(join(dir, entry.name)) : 1;
  return count;
}

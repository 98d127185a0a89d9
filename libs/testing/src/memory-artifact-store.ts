import { Readable } from 'node:stream';
import { isSafeKey, type ArtifactStat, type ArtifactStore, type ArtifactWriter, type ByteRange } from '@export-service/export-core';

/** An ArtifactStore in memory, for unit tests of the pipeline; it passes the same contract suite as the real stores. */
export class MemoryArtifactStore implements ArtifactStore {
  readonly files = new Map<string, Buffer>();

  async create(key: string): Promise<ArtifactWriter> {
    assertKey(key);
    if (this.files.has(key)) throw Object.assign(new Error(`${key} exists`), { code: 'EEXIST' });
    const chunks: Buffer[] = [];
    let isDestroyed = false;
    return {
      key,
      write: async (chunk) => void chunks.push(Buffer.from(chunk)),
      flush: async () => undefined,
      end: async () => {
        if (!isDestroyed) this.files.set(key, Buffer.concat(chunks));
      },
      destroy: async () => {
        isDestroyed = true;
        this.files.delete(key);
      },
    };
  }

  async stat(key: string): Promise<ArtifactStat | null> {
    const bytes = this.files.get(key);
    return bytes ? { bytes: bytes.length } : null;
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const bytes = this.files.get(key);
    if (!bytes) throw Object.assign(new Error(`no file ${key}`), { code: 'ENOENT' });
    return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    this.files.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (!isSafeKey(prefix, true)) throw new Error('storage key prefix must be safe segments ending in "/"');
    const keys = [...this.files.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) this.files.delete(key);
    return keys.length;
  }

  async signedUrl(key: string, ttlSeconds: number): Promise<string> {
    assertKey(key);
    return `memory://${key}?ttl=${ttlSeconds}`;
  }
}

function assertKey(key: string): void {
  if (!isSafeKey(key)) throw new Error('unsafe storage key');
}

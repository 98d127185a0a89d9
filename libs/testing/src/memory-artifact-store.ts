import { Readable } from 'node:stream';
import type { ArtifactScope, ArtifactStore, ByteRange, PartialArtifact } from '@export-service/export-core';

/** An ArtifactStore in memory, for unit tests of the pipeline (the disk store has its own tests). */
export class MemoryArtifactStore implements ArtifactStore {
  readonly files = new Map<string, Buffer>();
  private partials = 0;

  async createPartial(scope: ArtifactScope, filename: string): Promise<PartialArtifact> {
    const chunks: Buffer[] = [];
    const partialKey = `${scope.workspaceId}/${scope.jobId}/.partial/${(this.partials += 1)}-${filename}`;
    const files = this.files;
    return {
      partialKey,
      write: async (chunk) => void chunks.push(Buffer.from(chunk)),
      flush: async () => undefined,
      end: async () => void files.set(partialKey, Buffer.concat(chunks)),
      destroy: async () => void files.delete(partialKey),
    };
  }

  async promote(partial: PartialArtifact, scope: ArtifactScope, filename: string): Promise<string> {
    const key = `${scope.workspaceId}/${scope.jobId}/${filename}`;
    const bytes = this.files.get(partial.partialKey);
    if (!bytes) throw new Error(`no partial ${partial.partialKey}`);
    this.files.delete(partial.partialKey);
    this.files.set(key, bytes);
    return key;
  }

  async size(key: string): Promise<number | null> {
    return this.files.get(key)?.length ?? null;
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const bytes = this.files.get(key);
    if (!bytes) throw new Error(`no file ${key}`);
    return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
  }

  async deleteScope(scope: ArtifactScope): Promise<void> {
    for (const key of [...this.files.keys()]) if (key.startsWith(`${scope.workspaceId}/${scope.jobId}/`)) this.files.delete(key);
  }

  async sweepPartials(): Promise<number> {
    return 0;
  }
}

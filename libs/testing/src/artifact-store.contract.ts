import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { artifactKey, scopePrefix, type ArtifactStore } from '@export-service/export-core';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function put(store: ArtifactStore, key: string, bytes: Buffer): Promise<void> {
  const writer = await store.create(key);
  for (let offset = 0; offset < bytes.length; offset += 100_000) await writer.write(bytes.subarray(offset, offset + 100_000));
  await writer.flush();
  await writer.end();
}

/**
 * The behaviour every ArtifactStore driver must have, run against each one (memory, local disk, and
 * S3 when it lands), as BullMQ runs one suite against every backend.
 */
export function describeArtifactStoreContract(driver: string, openStore: () => Promise<ArtifactStore>): void {
  describe(`ArtifactStore contract: ${driver}`, () => {
    const scope = { workspaceId: 'ws_contract', jobId: 'job_0123456789abcdef0123456789abcdef', runId: '3b0f6c1e-5d0e-4f7a-9a43-0c1b2d3e4f50' };
    const other = { ...scope, runId: '7d2a9f10-1111-4222-8333-944455566677' };

    it('writes a file at its key, and stat, read and ranges give back exactly its bytes', async () => {
      const store = await openStore();
      const bytes = Buffer.from(Array.from({ length: 300_001 }, (_, index) => index % 251));
      const key = artifactKey(scope, 'data.csv.gz');
      await put(store, key, bytes);
      expect(await store.stat(key)).toEqual({ bytes: bytes.length });
      expect((await readAll(await store.read(key))).equals(bytes)).toBe(true);
      expect((await readAll(await store.read(key, { start: 10, end: 19 }))).equals(bytes.subarray(10, 20))).toBe(true);
      expect((await readAll(await store.read(key, { start: bytes.length - 1, end: bytes.length - 1 }))).equals(bytes.subarray(-1))).toBe(true);
    });

    it('answers null for a missing file and refuses to read one', async () => {
      const store = await openStore();
      const key = artifactKey(scope, 'missing.csv');
      expect(await store.stat(key)).toBeNull();
      await expect(store.read(key)).rejects.toThrow();
    });

    it('leaves nothing behind when a write is destroyed', async () => {
      const store = await openStore();
      const key = artifactKey(scope, 'abandoned.csv');
      const writer = await store.create(key);
      await writer.write(Buffer.from('half a file'));
      await writer.destroy(new Error('stopped'));
      expect(await store.stat(key)).toBeNull();
    });

    it('deletes one file, and deleting a missing one is fine', async () => {
      const store = await openStore();
      const key = artifactKey(scope, 'gone.csv');
      await put(store, key, Buffer.from('x'));
      await store.delete(key);
      expect(await store.stat(key)).toBeNull();
      await expect(store.delete(key)).resolves.toBeUndefined();
    });

    it("deletes an attempt's prefix without touching another attempt's files", async () => {
      const store = await openStore();
      await put(store, artifactKey(scope, 'a.csv'), Buffer.from('a'));
      await put(store, artifactKey(scope, 'b.csv'), Buffer.from('b'));
      await put(store, artifactKey(other, 'a.csv'), Buffer.from('kept'));
      expect(await store.deletePrefix(scopePrefix(scope))).toBe(2);
      expect(await store.stat(artifactKey(scope, 'a.csv'))).toBeNull();
      expect((await readAll(await store.read(artifactKey(other, 'a.csv')))).toString()).toBe('kept');
      expect(await store.deletePrefix(scopePrefix(scope))).toBe(0);
    });

    it('refuses keys and prefixes that could leave the store', async () => {
      const store = await openStore();
      for (const key of ['../etc/passwd', 'ws/../../x', '/abs/key', 'ws/.hidden/x', 'ws//x', '']) {
        await expect(store.create(key)).rejects.toThrow();
        await expect(store.signedUrl(key, 60)).rejects.toThrow();
      }
      await expect(store.deletePrefix('ws/../')).rejects.toThrow();
      await expect(store.deletePrefix('ws/job')).rejects.toThrow();
    });

    it('hands out a signed URL naming the key', async () => {
      const store = await openStore();
      const key = artifactKey(scope, 'signed.csv');
      await put(store, key, Buffer.from('signed'));
      expect(await store.signedUrl(key, 300)).toContain(scope.runId);
    });
  });
}

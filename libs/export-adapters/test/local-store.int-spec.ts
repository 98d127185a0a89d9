import { artifactKey } from '@export-service/export-core';
import { LinkSigner } from '@export-service/security';
import { makeTempDir } from '@export-service/testing';
// Not in the package index: it needs Jest's globals, which a benchmark importing the package lacks.
import { describeArtifactStoreContract } from '@export-service/testing/artifact-store.contract';
import { LocalArtifactStore } from '../src/storage/local.store';

const dirs: Array<{ cleanup(): Promise<void> }> = [];
const signer = new LinkSigner(Buffer.alloc(32, 7), 'http://localhost:3000');

afterAll(async () => {
  for (const dir of dirs) await dir.cleanup();
});

describeArtifactStoreContract('local', async () => {
  const dir = await makeTempDir('local-store');
  dirs.push(dir);
  return new LocalArtifactStore(dir.path, (key, ttl) => signer.sign(key, ttl));
});

it('signs links the API can check, and nothing else passes', async () => {
  const dir = await makeTempDir('local-store-link');
  dirs.push(dir);
  const store = new LocalArtifactStore(dir.path, (key, ttl) => signer.sign(key, ttl));
  const key = artifactKey({ workspaceId: 'ws_a', jobId: 'job_1', runId: 'run-1' }, 'f.csv');
  const url = new URL(await store.signedUrl(key, 60));
  expect(url.pathname).toBe('/api/v1/files/ws_a/job_1/run-1/f.csv');
  const expires = url.searchParams.get('expires') as string;
  const signature = url.searchParams.get('signature') as string;
  expect(signer.check(key, expires, signature)).toBe('valid');
  expect(signer.check('ws_a/job_1/run-1/g.csv', expires, signature)).toBe('invalid');
  expect(signer.check(key, String(Number(expires) + 1), signature)).toBe('invalid');
  expect(signer.check(key, expires, signature, (Number(expires) + 1) * 1000)).toBe('expired');
  expect(new LinkSigner(Buffer.alloc(32, 8), 'http://x').check(key, expires, signature)).toBe('invalid');
});

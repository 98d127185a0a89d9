import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { artifactKey } from '@export-service/export-core';
import { LinkSigner } from '@export-service/security';
import { startS3Server, type TestS3Server } from '@export-service/testing';
// Not in the package index: it needs Jest's globals, which a benchmark importing the package lacks.
import { describeArtifactStoreContract } from '@export-service/testing/artifact-store.contract';
import { createS3Client } from '../src/s3/s3-client';
import { S3ArtifactStore } from '../src/storage/s3.store';

const BUCKET = 'export-storage';
const signer = new LinkSigner(Buffer.alloc(32, 7), 'http://localhost:3000');
let s3: TestS3Server;
let prefixes = 0;

beforeAll(async () => {
  s3 = await startS3Server([BUCKET]);
});
afterAll(() => s3.stop());

/** A store over the real s3rver, each under a prefix of its own (so the suite's tests never see each other's objects). */
function openStore(): S3ArtifactStore {
  prefixes += 1;
  const client = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  return new S3ArtifactStore(client, { bucket: BUCKET, prefix: `t${prefixes}/`, partSizeBytes: 5 * 1024 * 1024 }, (key, ttl) => signer.sign(key, ttl));
}

describeArtifactStoreContract('s3 (s3rver)', async () => openStore());

async function objectKeys(prefix: string): Promise<string[]> {
  const client = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  client.destroy();
  return (listed.Contents ?? []).map((object) => object.Key as string);
}

it('shows a multipart object only once it is complete, and nothing of one that was destroyed half-way', async () => {
  const store = openStore();
  const scope = { workspaceId: 'ws_s3', jobId: 'job_0123456789abcdef0123456789abcdef', runId: '3b0f6c1e-5d0e-4f7a-9a43-0c1b2d3e4f50' };
  const key = artifactKey(scope, 'big.csv.gz');
  const writer = await store.create(key);
  // Two parts' worth: the first part has reached the server, the object is still invisible.
  for (let mb = 0; mb < 11; mb += 1) await writer.write(Buffer.alloc(1024 * 1024, mb));
  const deadline = Date.now() + 10_000;
  while ((await s3.partsInFlight(BUCKET)) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await s3.partsInFlight(BUCKET)).toBeGreaterThan(0);
  expect(await store.stat(key)).toBeNull();
  await writer.end();
  expect(await store.stat(key)).toEqual({ bytes: 11 * 1024 * 1024 });

  const abandoned = artifactKey(scope, 'abandoned.csv.gz');
  const half = await store.create(abandoned);
  for (let mb = 0; mb < 11; mb += 1) await half.write(Buffer.alloc(1024 * 1024, mb));
  await half.destroy(new Error('stopped'));
  expect(await store.stat(abandoned)).toBeNull();
  expect((await objectKeys(`t${prefixes}/`)).filter((name) => name.endsWith('abandoned.csv.gz'))).toEqual([]);
});

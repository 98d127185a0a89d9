import { createHash } from 'node:crypto';
import request from 'supertest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { seedAnalytics } from '@export-service/analytics';
import { createS3Client } from '@export-service/export-adapters';
import { download, startHarness, startS3Server, type Harness, type StatusBody, type TestS3Server } from '@export-service/testing';
import { startWorkerRuntime } from '../src/worker-runtime';

/** STORAGE_DRIVER=s3 end to end: the worker writes to s3rver, the API (its own process) streams downloads and ranges from it. */
let s3: TestS3Server;
let harness: Harness;
let key: string;

beforeAll(async () => {
  s3 = await startS3Server(['shared-storage', 'customer-drop']);
  harness = await startHarness('s3storage', {
    overrides: {
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'shared-storage',
      S3_PREFIX: 'exports',
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      S3_PART_SIZE_MB: '5',
    },
    api: 'process',
    worker: startWorkerRuntime,
  });
  key = await harness.createKey('ws_s3_store', 'member');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: 'ws_s3_store', rows: 60_000 });
}, 120_000);

afterAll(async () => {
  await harness.close();
  await s3.stop();
});

async function keys(bucket: string): Promise<string[]> {
  const client = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  client.destroy();
  return (listed.Contents ?? []).map((object) => object.Key as string);
}

it('stores the files in the bucket under <prefix><workspace>/<job>/<run>/, serves downloads and ranges from it, and delivers from it', async () => {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({
      name: 's3 storage',
      format: 'csv',
      compression: 'none',
      data_sources: [{ type: 'user_activity' }],
      delivery: {
        method: 's3',
        s3_config: {
          bucket: 'customer-drop',
          endpoint: s3.endpoint,
          force_path_style: true,
          access_key_id: s3.credentials.accessKeyId,
          secret_access_key: s3.credentials.secretAccessKey,
        },
      },
    });
  expect(created.status).toBe(202);
  const jobId = created.body.job_id as string;
  const status = await harness.waitForStatus(jobId, key, (body) => body.status === 'failed' || (body.status === 'completed' && body.deliveries[0].state === 'delivered'));
  if (status.status === 'failed')
    throw new Error(
      `${status.error_code}: ${harness.logLines
        .filter((line) => line.includes('"error"'))
        .slice(-5)
        .join('\n')}`,
    );
  const files = status.files as StatusBody[];
  expect(files[0].bytes).toBeGreaterThan(5 * 1024 * 1024);

  const stored = await keys('shared-storage');
  expect(stored).toHaveLength(files.length);
  for (const name of stored) expect(name).toMatch(new RegExp(`^exports/ws_s3_store/${jobId}/[0-9a-f-]{36}/(user_activity\\.csv|manifest\\.json)$`));

  const whole = await download(harness.app, key, files[0].download_url as string);
  expect(whole.status).toBe(200);
  expect(`sha256:${createHash('sha256').update(whole.body).digest('hex')}`).toBe(files[0].checksum);
  const part = await download(harness.app, key, files[0].download_url as string, { Range: 'bytes=1000-1999' });
  expect(part.status).toBe(206);
  expect(part.body.equals(whole.body.subarray(1000, 2000))).toBe(true);
  expect((await keys('customer-drop')).sort()).toEqual(files.map((file) => file.filename).sort());
});

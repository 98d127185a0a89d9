import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { seedAnalytics } from '@export-service/analytics';
import { JobName, QueueName } from '@export-service/contracts';
import { createS3Client } from '@export-service/export-adapters';
import { addJob, closeQueues, createRedisConnection, deliveryJobId, openQueues, Job, type Queues, type Redis } from '@export-service/queue';
import { isWebhookSignatureValid } from '@export-service/security';
import {
  activityRow,
  download,
  insertActivityRows,
  sha256,
  startHarness,
  startHttpReceiver,
  startMailCapture,
  startS3Server,
  startSftpServer,
  type Harness,
  type HttpReceiver,
  type MailCapture,
  type StatusBody,
  type TestS3Server,
  type TestSftpServer,
} from '@export-service/testing';
import { startWorkerRuntime } from '../src/worker-runtime';

const BUCKET = 'delivered-exports';
let harness: Harness;
let mail: MailCapture;
let s3: TestS3Server;
let sftp: TestSftpServer;
let hooks: HttpReceiver;
let redis: Redis;
let queues: Queues;
let key: string;
let webhookSecret: string;

beforeAll(async () => {
  [mail, s3, sftp, hooks] = await Promise.all([startMailCapture(), startS3Server([BUCKET]), startSftpServer(), startHttpReceiver()]);
  harness = await startHarness('deliveries', {
    overrides: {
      SMTP_URL: mail.url,
      EMAIL_ATTACH_MAX_MB: '0',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      DELIVERY_ATTEMPTS: '3',
      DELIVERY_BACKOFF_MS: '200',
      S3_PART_SIZE_MB: '5',
    },
    api: 'process',
    worker: startWorkerRuntime,
  });
  key = await harness.createKey('ws_deliver', 'admin');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: 'ws_deliver', rows: 20_000 });
  const secret = await request(harness.app).post('/api/v1/delivery-settings/webhook-secret').set('Authorization', `Bearer ${key}`);
  expect(secret.status).toBe(201);
  webhookSecret = secret.body.webhook_secret as string;
  redis = createRedisConnection(harness.env.config.redis.url, 'client');
  queues = openQueues(redis, harness.env.config.redis.queuePrefix, { attempts: 1, backoffMs: 0 });
}, 180_000);

afterAll(async () => {
  await closeQueues(queues);
  redis.disconnect();
  await harness.close();
  await Promise.all([mail.stop(), s3.stop(), sftp.stop(), hooks.stop()]);
});

const s3Target = (prefix: string) => ({
  method: 's3',
  s3_config: {
    bucket: BUCKET,
    prefix,
    endpoint: s3.endpoint,
    force_path_style: true,
    access_key_id: s3.credentials.accessKeyId,
    secret_access_key: s3.credentials.secretAccessKey,
  },
});
const sftpTarget = (dir: string) => ({
  method: 'sftp',
  sftp_config: { host: sftp.host, port: sftp.port, username: sftp.username, password: sftp.password, remote_dir: `/upload/${dir}`, host_key_sha256: sftp.hostKeySha256 },
});

async function create(body: Record<string, unknown>, as = key): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${as}`)
    .send({ name: 'delivered', format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity' }], ...body });
  expect(created.status).toBe(202);
  return created.body.job_id as string;
}

const isSettled = (body: StatusBody) =>
  ['completed', 'failed'].includes(body.status as string) && (body.deliveries as StatusBody[]).every((d) => ['delivered', 'failed', 'skipped'].includes(d.state as string));

/** Every object under a prefix with its bytes' sha256. */
async function bucketContents(prefix: string): Promise<Record<string, string>> {
  const client = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  const found: Record<string, string> = {};
  for (const object of listed.Contents ?? []) {
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
    found[(object.Key as string).slice(prefix.length)] = sha256(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()));
  }
  client.destroy();
  return found;
}

/** The export's files as status lists them: filename → sha256. */
function checksums(status: StatusBody): Record<string, string> {
  return Object.fromEntries((status.files as StatusBody[]).map((file) => [file.filename, (file.checksum as string).slice(7)]));
}

async function sftpContents(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const name of await readdir(join(sftp.localDir, dir))) found[name] = sha256(await readFile(join(sftp.localDir, dir, name)));
  return found;
}

it('delivers one export to download, an email with links, S3, SFTP and a webhook, each a job of its own', async () => {
  const jobId = await create({
    delivery: {
      targets: [{ method: 'download' }, { method: 'email', email_recipients: ['ana@example.com'] }, s3Target('all/'), sftpTarget('all')],
      webhook_url: `${hooks.url}/hook?t=abc`,
    },
  });
  const status = await harness.waitForStatus(jobId, key, isSettled);
  expect(status.status).toBe('completed');
  expect(status.deliveries.map((d: StatusBody) => [d.index, d.target.method, d.state, d.attempts])).toEqual([
    [0, 'download', 'delivered', 1],
    [1, 'email', 'delivered', 1],
    [2, 's3', 'delivered', 1],
    [3, 'sftp', 'delivered', 1],
    [4, 'webhook', 'delivered', 1],
  ]);
  expect(status.deliveries[2].location).toBe(`s3://${BUCKET}/all/`);
  expect(status.deliveries[3].location).toBe(`sftp://${sftp.username}@127.0.0.1:${sftp.port}/upload/all/`);
  expect(status.deliveries[4].target.webhook_url).toBe(`${hooks.url}/hook?…`);
  const files = checksums(status);
  expect(await bucketContents('all/')).toEqual(files);
  expect(await sftpContents('all')).toEqual(files);

  // The email's links download each file with no API key; an altered one does not.
  const message = await mail.waitFor('ana@example.com');
  expect(message.text).toContain('rows in 2 files');
  const links = [...(message.text ?? '').matchAll(/https?:\/\/\S+\/api\/v1\/export\/download\/\S+/g)].map((match) => new URL(match[0]));
  expect(links).toHaveLength(2);
  for (const link of links) {
    const fetched = await download(harness.app, null, `${link.pathname}${link.search}`);
    expect(fetched.status).toBe(200);
    expect(Object.values(files)).toContain(sha256(fetched.body));
  }
  const forged = `${links[0]!.pathname}?token=${links[0]!.searchParams.get('token')!.replace(/.$/, (c) => (c === '0' ? '1' : '0'))}`;
  expect((await download(harness.app, null, forged)).status).toBe(403);

  const [hook] = await hooks.waitForRequests(1);
  expect(isWebhookSignatureValid(webhookSecret, hook!.body, hook!.headers['x-signature'] as string)).toBe(true);
  expect(JSON.parse(hook!.body.toString('utf8'))).toMatchObject({ event: 'export.completed', job_id: jobId, total_rows: status.progress.total_rows });
});

it('retries a failing target with backoff, fails it for good while the export stays completed, and the retry endpoint delivers it later', async () => {
  await sftp.down();
  const jobId = await create({ delivery: sftpTarget('later') });
  const failed = await harness.waitForStatus(jobId, key, isSettled);
  expect(failed.status).toBe('completed');
  expect(failed.deliveries[0]).toMatchObject({ state: 'failed', attempts: 3, last_error_code: 'delivery_unreachable', retry_url: `/api/v1/export/${jobId}/deliveries/0/retry` });
  expect(failed.deliveries[0].last_error).toMatch(/could not reach sftp:\/\/.*ECONNREFUSED/);
  expect((await download(harness.app, key, failed.files[0].download_url as string)).status).toBe(200);

  await sftp.up();
  const retried = await request(harness.app).post(`/api/v1/export/${jobId}/deliveries/0/retry`).set('Authorization', `Bearer ${key}`);
  expect(retried.status).toBe(202);
  const delivered = await harness.waitForStatus(jobId, key, (body) => body.deliveries[0].state === 'delivered');
  expect(delivered.deliveries[0]).toMatchObject({ attempts: 1, last_error: null });
  expect(await sftpContents('later')).toEqual(checksums(delivered));
  const again = await request(harness.app).post(`/api/v1/export/${jobId}/deliveries/0/retry`).set('Authorization', `Bearer ${key}`);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('delivery_not_retryable');
});

it('tells the webhook when the export fails, and skips the targets that need files', async () => {
  await insertActivityRows(harness.env.analyticsPool, [activityRow({ workspace_id: 'ws_fail', resource_id: 'y'.repeat(1_200_000) })]);
  const failKey = await harness.createKey('ws_fail', 'admin');
  const secret = (await request(harness.app).post('/api/v1/delivery-settings/webhook-secret').set('Authorization', `Bearer ${failKey}`)).body.webhook_secret as string;
  hooks.requests.length = 0;
  const jobId = await create(
    {
      format: 'csv',
      compression: 'none',
      split_files: { enabled: true, split_by: 'size', max_size_mb: 1 },
      delivery: { ...s3Target('never/'), webhook_url: `${hooks.url}/failed` },
    },
    failKey,
  );
  const status = await harness.waitForStatus(jobId, failKey, isSettled);
  expect(status.status).toBe('failed');
  expect(status.deliveries.map((d: StatusBody) => d.state)).toEqual(['skipped', 'delivered']);
  const [hook] = await hooks.waitForRequests(1);
  expect(isWebhookSignatureValid(secret, hook!.body, hook!.headers['x-signature'] as string)).toBe(true);
  expect(JSON.parse(hook!.body.toString('utf8'))).toMatchObject({ event: 'export.failed', status: 'failed', files: [], error: { code: 'row_too_large' } });
});

it('loses no delivery when the worker died between completing the export and queuing it, or Redis forgot the job', async () => {
  const jobId = await create({ delivery: { targets: [s3Target('reconciled-a/'), s3Target('reconciled-b/')] } });
  const first = await harness.waitForStatus(jobId, key, isSettled);
  expect(first.deliveries.map((d: StatusBody) => d.state)).toEqual(['delivered', 'delivered']);
  // As a crash would leave them: one still pending after its export completed (never queued), one queued whose BullMQ job Redis lost.
  const rows = (await harness.dataSource.query(`SELECT id, round FROM deliveries WHERE job_id = $1 ORDER BY position`, [jobId])) as Array<{ id: string; round: number }>;
  for (const row of rows) await (await Job.fromId(queues[QueueName.deliveries], deliveryJobId(row)))?.remove();
  await harness.dataSource.query(
    `UPDATE deliveries SET status = CASE position WHEN 0 THEN 'pending' ELSE 'queued' END, updated_at = now() - interval '10 minutes' WHERE job_id = $1`,
    [jobId],
  );
  await harness.dataSource.query(`UPDATE export_jobs SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [jobId]);

  await addJob(queues, JobName.reconcileDeliveries, { olderThanSeconds: 60 });
  const again = await harness.waitForStatus(jobId, key, (body) =>
    body.deliveries.every((d: StatusBody, index: number) => d.state === 'delivered' && d.delivered_at !== first.deliveries[index].delivered_at),
  );
  expect(again.deliveries.map((d: StatusBody) => d.state)).toEqual(['delivered', 'delivered']);
  expect(harness.logLines.some((line) => line.includes('deliveries and queue reconciled') && line.includes('"released":1') && line.includes('"requeued":1'))).toBe(true);
  expect(await bucketContents('reconciled-b/')).toEqual(checksums(again));
});

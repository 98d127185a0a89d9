import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { seedAnalytics } from '@export-service/analytics';
import { createS3Client } from '@export-service/export-adapters';
import { sha256, startHarness, startS3Server, startSftpServer, type Harness, type StatusBody, type TestS3Server, type TestSftpServer } from '@export-service/testing';
import { startWorkerRuntime } from '../../src/worker-runtime';

/**
 * A delivery target that dies mid-transfer and comes back: the server is really killed (SIGKILL of
 * s3rver, of sshd and its sessions) while a file is on the wire, the delivery is retried with backoff,
 * and once the server is up again every file arrives exactly once, whole, with nothing half-written left.
 */
const BUCKET = 'restart-target';
let harness: Harness;
let s3: TestS3Server;
let sftp: TestSftpServer;
let key: string;

beforeAll(async () => {
  [s3, sftp] = await Promise.all([startS3Server([BUCKET]), startSftpServer()]);
  harness = await startHarness('delivery-restart', {
    overrides: { DELIVERY_ATTEMPTS: '20', DELIVERY_BACKOFF_MS: '250', S3_PART_SIZE_MB: '5', DELIVERY_CONNECT_TIMEOUT_MS: '2000' },
    api: 'process',
    worker: startWorkerRuntime,
  });
  key = await harness.createKey('ws_restart', 'member');
  // ~50 MB of CSV in one file: long enough on the wire to be cut in the middle.
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: 'ws_restart', rows: 300_000 });
}, 240_000);

afterAll(async () => {
  await harness.close();
  await Promise.all([s3.stop(), sftp.stop()]);
});

async function create(delivery: Record<string, unknown>): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'restart', format: 'csv', compression: 'none', data_sources: [{ type: 'user_activity' }], delivery });
  expect(created.status).toBe(202);
  return created.body.job_id as string;
}

/** Polls `check` every 10 ms until it holds, or fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const delivery = async (jobId: string): Promise<StatusBody> =>
  (await request(harness.app).get(`/api/v1/export/status/${jobId}`).set('Authorization', `Bearer ${key}`)).body.deliveries[0] as StatusBody;

function checksums(status: StatusBody): Record<string, string> {
  return Object.fromEntries((status.files as StatusBody[]).map((file) => [file.filename, (file.checksum as string).slice(7)]));
}

it('S3: s3rver killed mid-upload, started again; the retry uploads each file exactly once', async () => {
  const jobId = await create({
    method: 's3',
    s3_config: {
      bucket: BUCKET,
      prefix: 'cut/',
      endpoint: s3.endpoint,
      force_path_style: true,
      access_key_id: s3.credentials.accessKeyId,
      secret_access_key: s3.credentials.secretAccessKey,
    },
  });
  await until(async () => (await s3.partsInFlight(BUCKET)) > 0, 'no multipart upload started');
  await s3.down();
  await until(async () => ((await delivery(jobId)).last_error_code ?? null) === 'delivery_unreachable', 'the delivery never noticed the server was gone');
  const cut = await delivery(jobId);
  expect(cut.state).not.toBe('delivered');
  await s3.up();

  const status = await harness.waitForStatus(jobId, key, (body) => body.deliveries[0].state === 'delivered', 120_000);
  expect(status.deliveries[0].attempts).toBeGreaterThanOrEqual(2);
  const client = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const keys = (listed.Contents ?? []).map((object) => object.Key as string);
  expect(keys.sort()).toEqual(
    Object.keys(checksums(status))
      .map((name) => `cut/${name}`)
      .sort(),
  );
  for (const [name, sum] of Object.entries(checksums(status))) {
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `cut/${name}` }));
    expect([name, sha256(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()))]).toEqual([name, sum]);
  }
  client.destroy();
}, 240_000);

it('SFTP: sshd and its sessions killed mid-file, started again; the retry writes each file exactly once and no part file is left', async () => {
  const jobId = await create({
    method: 'sftp',
    sftp_config: { host: sftp.host, port: sftp.port, username: sftp.username, private_key: sftp.privateKey, remote_dir: '/upload/cut', host_key_sha256: sftp.hostKeySha256 },
  });
  const dir = join(sftp.localDir, 'cut');
  const partSize = async () => {
    const part = (await readdir(dir).catch(() => [] as string[])).find((name) => name.endsWith('.part'));
    return part ? (await stat(join(dir, part))).size : 0;
  };
  await until(async () => (await partSize()) > 1_000_000, 'no upload started');
  await sftp.down();
  await until(async () => ((await delivery(jobId)).last_error_code ?? null) === 'delivery_unreachable', 'the delivery never noticed the server was gone');
  // What the killed attempt left: a part file, never a file under its final name.
  expect((await readdir(dir)).filter((name) => !name.endsWith('.part'))).toEqual([]);
  await sftp.up();

  const status = await harness.waitForStatus(jobId, key, (body) => body.deliveries[0].state === 'delivered', 120_000);
  expect(status.deliveries[0].attempts).toBeGreaterThanOrEqual(2);
  const found: Record<string, string> = {};
  for (const name of await readdir(dir)) found[name] = sha256(await readFile(join(dir, name)));
  expect(found).toEqual(checksums(status));
}, 240_000);

import request from 'supertest';
import {
  dumpRedis,
  insertActivityRows,
  edgeCaseActivityRows,
  startMailCapture,
  startS3Server,
  startSftpServer,
  type MailCapture,
  type TestS3Server,
  type TestSftpServer,
} from '@export-service/testing';
import { download, startHarness, type Harness, type StatusBody } from './support/harness';

/**
 * The delivery block through the API: every bad input answered 422 naming its field, the workspace's
 * delivery settings, secrets that never come back out (status, logs, Redis, audit log, the spec), and
 * the signed download links of delivery emails.
 */
const WORKSPACE = 'ws_dlv_api';
let harness: Harness;
let mail: MailCapture;
let s3: TestS3Server;
let sftp: TestSftpServer;
let admin: string;
let member: string;
let sftpCredentialId: string;
let s3CredentialId: string;

const base = { name: 'delivery api', format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity' }] };
const INLINE_S3_SECRET = 'inline-s3-secret-9f83b2c1';

beforeAll(async () => {
  [mail, s3, sftp] = await Promise.all([startMailCapture(), startS3Server(['api-exports']), startSftpServer()]);
  harness = await startHarness('deliveryapi', { overrides: { SMTP_URL: mail.url, EMAIL_ATTACH_MAX_MB: '0', DELIVERY_BACKOFF_MS: '200' } });
  admin = await harness.createKey(WORKSPACE, 'admin');
  member = await harness.createKey(WORKSPACE, 'member');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  const sftpCredential = await request(harness.app)
    .post('/api/v1/credentials')
    .set('Authorization', `Bearer ${admin}`)
    .send({ name: 'partner-sftp', kind: 'sftp', config: { host: sftp.host, port: sftp.port, username: sftp.username }, secret: { private_key: sftp.privateKey } });
  expect(sftpCredential.status).toBe(201);
  sftpCredentialId = sftpCredential.body.id as string;
  const s3Credential = await request(harness.app)
    .post('/api/v1/credentials')
    .set('Authorization', `Bearer ${admin}`)
    .send({
      name: 'warehouse',
      kind: 's3',
      config: { bucket: 'api-exports', access_key_id: s3.credentials.accessKeyId },
      secret: { secret_access_key: s3.credentials.secretAccessKey },
    });
  s3CredentialId = s3Credential.body.id as string;
}, 120_000);

afterAll(async () => {
  await harness.close();
  await Promise.all([mail.stop(), s3.stop(), sftp.stop()]);
});

const create = (body: Record<string, unknown>, key = member) =>
  request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ ...base, ...body });

const settled = (body: StatusBody) => body.status === 'completed' && (body.deliveries as StatusBody[]).every((d) => ['delivered', 'failed'].includes(d.state as string));

describe('bad delivery input answers 422 naming the field', () => {
  const s3 = (config: Record<string, unknown>) => ({ delivery: { method: 's3', s3_config: config } });
  const sftpWith = (config: Record<string, unknown>) => ({
    delivery: { method: 'sftp', sftp_config: { host: 'sftp.example.com', username: 'u', password: 'p', host_key_sha256: `SHA256:${'A'.repeat(43)}`, ...config } },
  });
  it.each([
    ['an unsupported method', { delivery: { method: 'pigeon' } }, 'delivery.method'],
    ['method s3 without s3_config', { delivery: { method: 's3' } }, 'delivery.s3_config'],
    ['a missing bucket', s3({ access_key_id: 'a', secret_access_key: 'b' }), 'delivery.s3_config.bucket'],
    ['no S3 keys', s3({ bucket: 'my-bucket' }), 'delivery.s3_config.secret_access_key'],
    ['an absolute prefix', s3({ bucket: 'my-bucket', prefix: '/etc/', access_key_id: 'a', secret_access_key: 'b' }), 'delivery.s3_config.prefix'],
    ['a ".." prefix', s3({ bucket: 'my-bucket', prefix: 'a/../../b/', access_key_id: 'a', secret_access_key: 'b' }), 'delivery.s3_config.prefix'],
    ['an unknown credential', s3({ bucket: 'my-bucket', credential_id: '00000000-0000-4000-8000-000000000000' }), 'delivery.s3_config.credential_id'],
    ['a credential of another kind', () => s3({ bucket: 'my-bucket', credential_id: sftpCredentialId }), 'delivery.s3_config.credential_id'],
    ['a missing host', sftpWith({ host: undefined }), 'delivery.sftp_config.host'],
    ['a malformed host', sftpWith({ host: 'bad host!' }), 'delivery.sftp_config.host'],
    ['no host key', sftpWith({ host_key_sha256: undefined }), 'delivery.sftp_config.host_key_sha256'],
    ['a host key that is no fingerprint', sftpWith({ host_key_sha256: 'ssh-ed25519 AAAA' }), 'delivery.sftp_config.host_key_sha256'],
    ['neither password nor key', sftpWith({ password: undefined }), 'delivery.sftp_config.password'],
    ['an FTP target without username', { delivery: { method: 'ftp', ftp_config: { host: 'ftp.example.com', password: 'p' } } }, 'delivery.ftp_config.username'],
    ['an unknown FTP tls mode', { delivery: { method: 'ftp', ftp_config: { host: 'ftp.example.com', username: 'u', password: 'p', tls: 'maybe' } } }, 'delivery.ftp_config.tls'],
    ['email without recipients', { delivery: { method: 'email' } }, 'delivery.email_recipients'],
    ['a malformed address', { delivery: { method: 'email', email_recipients: ['not-an-address'] } }, 'delivery.email_recipients'],
    [
      'a bad target among several',
      { delivery: { targets: [{ method: 'download' }, { method: 's3', s3_config: { access_key_id: 'a', secret_access_key: 'b' } }] } },
      'delivery.targets[1].s3_config.bucket',
    ],
    ['method and targets together', { delivery: { method: 'download', targets: [{ method: 'download' }] } }, 'delivery.method'],
    ['a webhook that is not http(s)', { delivery: { method: 'download', webhook_url: 'ftp://hooks.example.com/x' } }, 'delivery.webhook_url'],
    ['a webhook to a private address', { delivery: { method: 'download', webhook_url: 'http://10.0.0.7/hook' } }, 'delivery.webhook_url'],
    ['a webhook to localhost', { delivery: { method: 'webhook', webhook_url: 'http://localhost:8080/hook' } }, 'delivery.webhook_url'],
  ])('%s', async (_what, body, field) => {
    const response = await create(typeof body === 'function' ? body() : body);
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((detail: { field: string }) => detail.field)).toContain(field);
  });

  it('asks for a webhook secret before the first webhook, and keeps email to the allowed domains', async () => {
    const noSecret = await create({ delivery: { method: 'webhook', webhook_url: 'https://hooks.example.com/export' } });
    expect(noSecret.status).toBe(422);
    expect(noSecret.body.error.details[0]).toEqual({ field: 'delivery.webhook_url', problem: expect.stringContaining('POST /api/v1/delivery-settings/webhook-secret') });

    expect(
      (
        await request(harness.app)
          .put('/api/v1/delivery-settings')
          .set('Authorization', `Bearer ${member}`)
          .send({ email_allowed_domains: ['example.com'] })
      ).status,
    ).toBe(403);
    const put = await request(harness.app)
      .put('/api/v1/delivery-settings')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email_allowed_domains: ['example.com'] });
    expect(put.body).toEqual({ email_allowed_domains: ['example.com'], webhook_secret: { is_set: false, rotated_at: null } });
    const outside = await create({ delivery: { method: 'email', email_recipients: ['ana@example.com', 'eve@evil.test'] } });
    expect(outside.status).toBe(422);
    expect(outside.body.error.details).toEqual([{ field: 'delivery.email_recipients[1]', problem: 'is not at a domain your workspace allows (example.com)' }]);
    expect((await create({ delivery: { method: 'email', email_recipients: ['bo@eu.example.com'] } })).status).toBe(202);
    const bad = await request(harness.app)
      .put('/api/v1/delivery-settings')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email_allowed_domains: ['Not A Domain'] });
    expect(bad.status).toBe(422);
    await request(harness.app).put('/api/v1/delivery-settings').set('Authorization', `Bearer ${admin}`).send({ email_allowed_domains: [] });

    const rotated = await request(harness.app).post('/api/v1/delivery-settings/webhook-secret').set('Authorization', `Bearer ${admin}`);
    expect(rotated.status).toBe(201);
    expect(rotated.body.webhook_secret).toMatch(/^whsec_/);
    const shown = await request(harness.app).get('/api/v1/delivery-settings').set('Authorization', `Bearer ${admin}`);
    expect(shown.body.webhook_secret.is_set).toBe(true);
    expect(JSON.stringify(shown.body)).not.toContain(rotated.body.webhook_secret);
  });
});

it('keeps every target secret out of status, logs, Redis, the audit log and the export row', async () => {
  const created = await create({
    delivery: {
      targets: [
        {
          method: 's3',
          s3_config: { bucket: 'api-exports', prefix: 'inline/', endpoint: s3.endpoint, force_path_style: true, access_key_id: 'S3RVER', secret_access_key: INLINE_S3_SECRET },
        },
        { method: 's3', s3_config: { prefix: 'stored/', endpoint: s3.endpoint, force_path_style: true, credential_id: s3CredentialId } },
        { method: 'sftp', sftp_config: { credential_id: sftpCredentialId, remote_dir: '/upload/api', host_key_sha256: sftp.hostKeySha256 } },
        {
          method: 'sftp',
          sftp_config: { host: sftp.host, port: sftp.port, username: sftp.username, password: sftp.password, remote_dir: '/upload/api-pw', host_key_sha256: sftp.hostKeySha256 },
        },
      ],
    },
  });
  expect(created.status).toBe(202);
  const status = await harness.waitForStatus(created.body.job_id as string, member, settled);
  // s3rver checks the access key only, so the inline secret reaches it and the upload succeeds; sshd checks everything.
  expect(status.deliveries.map((d: StatusBody) => d.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  expect(status.deliveries[2].target).toEqual({
    method: 'sftp',
    host: sftp.host,
    port: sftp.port,
    username: sftp.username,
    remote_dir: '/upload/api',
    host_key_sha256: sftp.hostKeySha256,
    credential_id: sftpCredentialId,
  });

  // The stored S3 credential's secret is s3rver's fixed 'S3RVER', which is also its public access key id: not scannable.
  const secrets = [INLINE_S3_SECRET, sftp.password, sftp.privateKey.split('\n')[2] as string];
  const texts: Array<[string, string]> = [
    ['status', JSON.stringify(status)],
    ['create answer', JSON.stringify(created.body)],
    ['logs', harness.logLines.join('\n')],
    ['redis', (await dumpRedis(harness.env.config.redis.url, harness.env.config.redis.queuePrefix)).text],
    ['audit log', JSON.stringify(await harness.dataSource.query(`SELECT * FROM audit_log WHERE workspace_id = $1`, [WORKSPACE]))],
    ['export row', JSON.stringify(await harness.dataSource.query(`SELECT * FROM export_jobs WHERE id = $1`, [created.body.job_id]))],
    ['delivery rows', JSON.stringify(await harness.dataSource.query(`SELECT * FROM deliveries WHERE job_id = $1`, [created.body.job_id]))],
  ];
  for (const [where, text] of texts) for (const secret of secrets) expect([where, text.includes(secret)]).toEqual([where, false]);
  const [row] = await harness.dataSource.query(`SELECT sealed_secret FROM deliveries WHERE job_id = $1 AND position = 0`, [created.body.job_id]);
  expect(row.sealed_secret).toMatch(/^v1\./);
});

describe('signed download links', () => {
  let jobId: string;
  let files: StatusBody[];
  beforeAll(async () => {
    const created = await create({ delivery: { method: 'email', email_recipients: ['links@example.com'] } });
    jobId = created.body.job_id as string;
    files = (await harness.waitForStatus(jobId, member, settled)).files as StatusBody[];
  });
  const link = (fileIndex: number, options: { ttl?: number; now?: number; workspaceId?: string; job?: string } = {}) =>
    `/api/v1/export/download/${options.job ?? jobId}/${fileIndex}?token=${harness.deps.linkSigner.downloadToken({ workspaceId: options.workspaceId ?? WORKSPACE, jobId: options.job ?? jobId, fileIndex }, options.ttl ?? 60, options.now)}`;

  it('download with no API key from the email, and with the file checksum', async () => {
    const message = await mail.waitFor('links@example.com');
    const url = new URL(/https?:\/\/\S+\/api\/v1\/export\/download\/\S+\/0\?token=\S+/.exec(message.text ?? '')![0]);
    const fetched = await download(harness.app, null, `${url.pathname}${url.search}`);
    expect(fetched.status).toBe(200);
    expect(fetched.headers['x-checksum']).toBe(files[0]!.checksum);
    const ranged = await download(harness.app, null, `${url.pathname}${url.search}`, { Range: 'bytes=0-9' });
    expect(ranged.status).toBe(206);
  });

  it('refuse an expired, altered, misplaced or foreign token', async () => {
    expect((await download(harness.app, null, link(0, { ttl: 60, now: Date.now() - 3_600_000 }))).status).toBe(410);
    expect(
      (
        await download(
          harness.app,
          null,
          link(0).replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
        )
      ).status,
    ).toBe(403);
    const forFileOne = link(1).split('?')[1];
    expect((await download(harness.app, null, `/api/v1/export/download/${jobId}/0?${forFileOne}`)).status).toBe(403);
    expect((await download(harness.app, null, link(0, { workspaceId: 'ws_other' }))).status).toBe(403);
    expect((await download(harness.app, null, `/api/v1/export/download/${jobId}/0?token=garbage`)).status).toBe(403);
    expect((await download(harness.app, null, `/api/v1/export/download/${jobId}/0`)).status).toBe(401);
  });

  it('still ask a protected export for its password', async () => {
    const password = 'Quartz-Meadow-Falcon-83!';
    const created = await create({ encryption: { enabled: true, password_protected: true, password }, delivery: { method: 'email', email_recipients: ['secure@example.com'] } });
    const protectedJob = created.body.job_id as string;
    await harness.waitForStatus(protectedJob, member, settled);
    const url = link(0, { job: protectedJob });
    expect((await download(harness.app, null, url)).status).toBe(401);
    expect((await download(harness.app, null, url, { 'X-Export-Password': password })).status).toBe(200);
  });
});

it('retries only failed deliveries of your own exports', async () => {
  const created = await create({ delivery: { method: 'download' } });
  const jobId = created.body.job_id as string;
  await harness.waitForStatus(jobId, member, settled);
  const notFailed = await request(harness.app).post(`/api/v1/export/${jobId}/deliveries/0/retry`).set('Authorization', `Bearer ${member}`);
  expect(notFailed.status).toBe(409);
  expect((await request(harness.app).post(`/api/v1/export/${jobId}/deliveries/7/retry`).set('Authorization', `Bearer ${member}`)).status).toBe(404);
  expect((await request(harness.app).post(`/api/v1/export/${jobId}/deliveries/x/retry`).set('Authorization', `Bearer ${member}`)).status).toBe(422);
  const stranger = await harness.createKey('ws_stranger', 'admin');
  expect((await request(harness.app).post(`/api/v1/export/${jobId}/deliveries/0/retry`).set('Authorization', `Bearer ${stranger}`)).status).toBe(404);
});

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isWebhookSignatureValid } from '@export-service/security';
import {
  deliveryFiles,
  deliveryRequest,
  sha256,
  startFtpServer,
  startHttpReceiver,
  startMailCapture,
  startS3Server,
  startSftpServer,
  type HttpReceiver,
  type MailCapture,
  type TestFtpServer,
  type TestS3Server,
  type TestSftpServer,
} from '@export-service/testing';
import { createS3Client } from '../src/s3/s3-client';
import { emailDelivery } from '../src/delivery/email.delivery';
import { ftpDelivery } from '../src/delivery/ftp.delivery';
import { s3Delivery } from '../src/delivery/s3.delivery';
import { sftpDelivery } from '../src/delivery/sftp.delivery';
import { webhookDelivery } from '../src/delivery/webhook.delivery';
import { isRefusedAddress } from '../src/delivery/public-address';

/** Two data files (the first past one 5 MiB part, so S3 uploads it in parts) and the manifest. */
const files = deliveryFiles([6 * 1024 * 1024 + 123, 70_001]);
const connect = { connectTimeoutMs: 5_000 };

async function streamed(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('S3 delivery against s3rver', () => {
  let s3: TestS3Server;
  beforeAll(async () => {
    s3 = await startS3Server(['analytics-exports']);
  });
  afterAll(() => s3.stop());

  const target = () => ({
    method: 's3' as const,
    bucket: 'analytics-exports',
    prefix: '2024/Q1/',
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentialId: null,
  });

  it('uploads every file under the prefix with its sha256 as metadata, manifest last; a second run overwrites, never duplicates', async () => {
    const deliver = s3Delivery({ partSizeBytes: 5 * 1024 * 1024, ...connect });
    const request = deliveryRequest(target(), files, { secret: s3.credentials });
    expect(await deliver.deliver(request)).toEqual({ location: 's3://analytics-exports/2024/Q1/' });
    await deliver.deliver(request);

    const client = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'analytics-exports' }));
    expect((listed.Contents ?? []).map((object) => object.Key).sort()).toEqual(files.map((file) => `2024/Q1/${file.filename}`).sort());
    const modified: Array<[string, number]> = [];
    for (const file of files) {
      const key = `2024/Q1/${file.filename}`;
      const object = await client.send(new GetObjectCommand({ Bucket: 'analytics-exports', Key: key }));
      expect(sha256(await streamed(object.Body as AsyncIterable<Uint8Array>))).toBe(file.sha256);
      const head = await client.send(new HeadObjectCommand({ Bucket: 'analytics-exports', Key: key }));
      expect(head.Metadata).toMatchObject({ sha256: file.sha256, 'export-job-id': request.jobId });
      modified.push([file.filename, head.LastModified?.getTime() ?? 0]);
    }
    // The manifest is written last, so a loader polling for it sees the data files complete.
    const manifestAt = modified.find(([name]) => name === 'manifest.json')?.[1] ?? 0;
    expect(modified.every(([, at]) => at <= manifestAt)).toBe(true);
    client.destroy();
  });

  it('names refused credentials and an unreachable endpoint in its error', async () => {
    const deliver = s3Delivery({ partSizeBytes: 5 * 1024 * 1024, ...connect });
    await expect(deliver.deliver(deliveryRequest(target(), files, { secret: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'wrong' } }))).rejects.toMatchObject({
      failure: { code: 'delivery_auth_failed', isPermanent: true },
    });
    await expect(deliver.deliver(deliveryRequest({ ...target(), endpoint: 'http://127.0.0.1:1' }, files, { secret: s3.credentials }))).rejects.toMatchObject({
      failure: { code: 'delivery_unreachable', isPermanent: false },
    });
  });
});

describe('SFTP delivery against OpenSSH sshd', () => {
  let sftp: TestSftpServer;
  beforeAll(async () => {
    sftp = await startSftpServer();
  });
  afterAll(() => sftp.stop());

  const target = (overrides: Record<string, unknown> = {}) => ({
    method: 'sftp' as const,
    host: sftp.host,
    port: sftp.port,
    username: sftp.username,
    remoteDir: '/upload/exports/q1',
    hostKeySha256: sftp.hostKeySha256,
    credentialId: null,
    ...overrides,
  });

  it.each(['password', 'private key'])('uploads every file by %s, under a temporary name renamed into place', async (auth) => {
    const secret = auth === 'password' ? { password: sftp.password } : { privateKey: sftp.privateKey };
    const result = await sftpDelivery(connect).deliver(deliveryRequest(target(), files, { secret }));
    expect(result.location).toBe(`sftp://${sftp.username}@127.0.0.1:${sftp.port}/upload/exports/q1/`);
    const dir = join(sftp.localDir, 'exports', 'q1');
    expect((await readdir(dir)).sort()).toEqual(files.map((file) => file.filename).sort());
    for (const file of files) expect(sha256(await readFile(join(dir, file.filename)))).toBe(file.sha256);
  });

  it('refuses a server whose host key is not the pinned one, and a wrong password, sending nothing', async () => {
    const pinned = target({ hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', remoteDir: '/upload/never' });
    await expect(sftpDelivery(connect).deliver(deliveryRequest(pinned, files, { secret: { password: sftp.password } }))).rejects.toMatchObject({
      failure: { code: 'delivery_host_key_mismatch', isPermanent: true, message: expect.stringContaining(sftp.hostKeySha256) },
    });
    await expect(sftpDelivery(connect).deliver(deliveryRequest(target({ remoteDir: '/upload/never' }), files, { secret: { password: 'wrong-password' } }))).rejects.toMatchObject({
      failure: { code: 'delivery_auth_failed' },
    });
    expect(await readdir(sftp.localDir)).not.toContain('never');
  });
});

describe('FTP and FTPS delivery against ftp-srv', () => {
  let ftp: TestFtpServer;
  beforeAll(async () => {
    ftp = await startFtpServer();
  });
  afterAll(() => ftp.stop());

  it.each(['none', 'explicit'] as const)('uploads every file (tls %s) and renames each into place', async (tls) => {
    const target = {
      method: 'ftp' as const,
      host: ftp.host,
      port: ftp.port,
      username: ftp.username,
      remoteDir: `/drop/${tls}`,
      tls,
      caCertificate: tls === 'none' ? null : ftp.certificate,
      credentialId: null,
    };
    const result = await ftpDelivery(connect).deliver(deliveryRequest(target, files, { secret: { password: ftp.password } }));
    expect(result.location).toBe(`${tls === 'none' ? 'ftp' : 'ftps'}://${ftp.username}@127.0.0.1:${ftp.port}/drop/${tls}/`);
    const dir = join(ftp.localDir, 'drop', tls);
    expect((await readdir(dir)).sort()).toEqual(files.map((file) => file.filename).sort());
    for (const file of files) expect(sha256(await readFile(join(dir, file.filename)))).toBe(file.sha256);
  });

  it('refuses an untrusted FTPS certificate and a wrong password', async () => {
    const target = {
      method: 'ftp' as const,
      host: ftp.host,
      port: ftp.port,
      username: ftp.username,
      remoteDir: '/x',
      tls: 'explicit' as const,
      caCertificate: null,
      credentialId: null,
    };
    await expect(ftpDelivery(connect).deliver(deliveryRequest(target, files, { secret: { password: ftp.password } }))).rejects.toMatchObject({
      failure: { code: 'delivery_auth_failed', message: expect.stringContaining('certificate') },
    });
    await expect(ftpDelivery(connect).deliver(deliveryRequest({ ...target, tls: 'none' }, files, { secret: { password: 'nope' } }))).rejects.toMatchObject({
      failure: { code: 'delivery_auth_failed' },
    });
  });
});

describe('email delivery', () => {
  let mail: MailCapture;
  let sendgrid: HttpReceiver;
  beforeAll(async () => {
    mail = await startMailCapture();
    sendgrid = await startHttpReceiver();
  });
  afterAll(async () => {
    await mail.stop();
    await sendgrid.stop();
  });
  const settings = () => ({
    smtpUrl: mail.url,
    sendgridApiKey: null,
    sendgridApiUrl: '',
    from: 'Exports <exports@example.test>',
    attachMaxBytes: 10_000_000,
    linkTtlSeconds: 7 * 86_400,
    ...connect,
  });

  it('attaches the files over SMTP when they fit, naming the export, its rows and files', async () => {
    const target = { method: 'email' as const, recipients: ['ana@example.com', 'bo@example.com'] };
    expect((await emailDelivery(settings()).deliver(deliveryRequest(target, files))).location).toBe('mailto:ana@example.com,bo@example.com (files attached)');
    const message = await mail.waitFor('bo@example.com');
    expect(message.subject).toContain('Q1 activity');
    expect(message.text).toContain(`${files.reduce((sum, file) => sum + file.rows, 0).toLocaleString('en-US')} rows in 3 files`);
    expect(message.attachments.map((attachment) => [attachment.filename, sha256(attachment.content)])).toEqual(files.map((file) => [file.filename, file.sha256]));
  });

  it('sends signed links instead when the files are over EMAIL_ATTACH_MAX_MB', async () => {
    const target = { method: 'email' as const, recipients: ['links@example.com'] };
    await emailDelivery({ ...settings(), attachMaxBytes: 1_000_000 }).deliver(deliveryRequest(target, files));
    const message = await mail.waitFor('links@example.com');
    expect(message.attachments).toEqual([]);
    for (const file of files) expect(message.text).toContain(file.downloadUrl());
    expect(message.html).toContain('token=t0');
  });

  it("speaks SendGrid's v3 /v3/mail/send API (checked against a local receiver, not SendGrid itself)", async () => {
    const target = { method: 'email' as const, recipients: ['sg@example.com'] };
    const small = deliveryFiles([1_000]);
    await emailDelivery({ ...settings(), smtpUrl: null, sendgridApiKey: 'SG.test-key-123', sendgridApiUrl: sendgrid.url }).deliver(deliveryRequest(target, small));
    const [sent] = await sendgrid.waitForRequests(1);
    expect(sent).toMatchObject({ method: 'POST', url: '/v3/mail/send', headers: expect.objectContaining({ authorization: 'Bearer SG.test-key-123' }) });
    const body = JSON.parse(sent!.body.toString('utf8'));
    expect(body.personalizations[0].to).toEqual([{ email: 'sg@example.com' }]);
    expect(body.attachments.map((a: { filename: string; content: string }) => [a.filename, sha256(Buffer.from(a.content, 'base64'))])).toEqual(
      small.map((f) => [f.filename, f.sha256]),
    );
    sendgrid.respond = () => ({ status: 401, body: '{"errors":[{"message":"bad key"}]}' });
    await expect(
      emailDelivery({ ...settings(), smtpUrl: null, sendgridApiKey: 'SG.test-key-123', sendgridApiUrl: sendgrid.url }).deliver(deliveryRequest(target, small)),
    ).rejects.toMatchObject({ failure: { code: 'delivery_auth_failed' } });
  });

  it('says so when no mail transport is configured, and when the SMTP server is down', async () => {
    const target = { method: 'email' as const, recipients: ['x@example.com'] };
    await expect(emailDelivery({ ...settings(), smtpUrl: null }).deliver(deliveryRequest(target, files))).rejects.toMatchObject({ failure: { code: 'delivery_not_configured' } });
    await expect(emailDelivery({ ...settings(), smtpUrl: 'smtp://127.0.0.1:1' }).deliver(deliveryRequest(target, files))).rejects.toMatchObject({
      failure: { code: 'delivery_unreachable', isPermanent: false },
    });
  });
});

describe('webhook delivery', () => {
  let receiver: HttpReceiver;
  const secret = 'whsec_test-secret';
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(() => receiver.stop());
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.respond = () => ({ status: 204 });
  });

  it('POSTs a JSON body whose X-Signature verifies under the workspace secret, with a signed timestamp', async () => {
    const request = deliveryRequest({ method: 'webhook' as const, url: `${receiver.url}/hooks/export` }, files, { webhookSecret: secret });
    expect((await webhookDelivery({ allowPrivate: true, timeoutMs: 5_000 }).deliver(request)).location).toBe(`POST ${receiver.url}/hooks/export → 204`);
    const [received] = receiver.requests;
    expect(isWebhookSignatureValid(secret, received!.body, received!.headers['x-signature'] as string)).toBe(true);
    expect(isWebhookSignatureValid('whsec_other', received!.body, received!.headers['x-signature'] as string)).toBe(false);
    const body = JSON.parse(received!.body.toString('utf8'));
    expect(body).toMatchObject({ event: 'export.completed', job_id: request.jobId, delivery_id: request.deliveryId, status: 'completed' });
    expect(body.files.map((file: { checksum: string }) => file.checksum)).toEqual(files.map((file) => `sha256:${file.sha256}`));
    expect(String(body.timestamp)).toBe(received!.headers['x-signature-timestamp']);
    expect(Math.abs(body.timestamp - Date.now() / 1000)).toBeLessThan(60);
  });

  it('refuses loopback and private addresses unless allowed, redirects, and answers other than 2xx', async () => {
    const request = deliveryRequest({ method: 'webhook' as const, url: `${receiver.url}/hooks` }, files, { webhookSecret: secret });
    await expect(webhookDelivery({ allowPrivate: false, timeoutMs: 5_000 }).deliver(request)).rejects.toMatchObject({
      failure: { code: 'delivery_address_refused', isPermanent: true },
    });
    // A name that resolves to loopback is refused by its address, not its spelling.
    const byName = deliveryRequest({ method: 'webhook' as const, url: `http://localhost:${receiver.port}/hooks` }, files, { webhookSecret: secret });
    await expect(webhookDelivery({ allowPrivate: false, timeoutMs: 5_000 }).deliver(byName)).rejects.toMatchObject({ failure: { code: 'delivery_address_refused' } });
    expect(receiver.requests).toHaveLength(0);

    receiver.respond = () => ({ status: 302, headers: { Location: 'http://169.254.169.254/latest/meta-data' } });
    await expect(webhookDelivery({ allowPrivate: true, timeoutMs: 5_000 }).deliver(request)).rejects.toMatchObject({ failure: { message: expect.stringContaining('redirect') } });
    receiver.respond = () => ({ status: 500 });
    await expect(webhookDelivery({ allowPrivate: true, timeoutMs: 5_000 }).deliver(request)).rejects.toMatchObject({ failure: { code: 'delivery_rejected', isPermanent: false } });
    expect(receiver.requests).toHaveLength(2);
  });

  it('classifies addresses: private, loopback, link-local, mapped and CGNAT refused; public allowed', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      'nonsense',
    ])
      expect([address, isRefusedAddress(address)]).toEqual([address, true]);
    for (const address of ['93.184.216.34', '2606:4700::1111', '8.8.8.8']) expect([address, isRefusedAddress(address)]).toEqual([address, false]);
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { loadConfig } from '@export-service/config';
import { CredentialRepository, DeliverySettingsRepository, openMetadataStore } from '@export-service/db';
import { credentialContext, keyId, openSecret, webhookSecretContext } from '@export-service/security';
import { runTool, serviceMain, startHarness, type Harness } from '@export-service/testing';

const CLI = serviceMain('cli');
const API = serviceMain('api');
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness('cli', { api: 'process', worker: false });
});

afterAll(() => harness.close());

function cli(args: string[], env: Record<string, string> = harness.env.env, input?: Buffer) {
  return runTool(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, input });
}

it('creates a key that works, prints it alone on the last line, and revokes it', async () => {
  const created = await cli(['create-api-key', '--workspace', 'ws_cli', '--role', 'admin']);
  expect(created.code).toBe(0);
  const lines = created.stdout.toString().trim().split('\n');
  const key = lines.at(-1) as string;
  expect(key).toMatch(/^dxk_[A-Za-z0-9_-]{43}$/);
  expect((await request(harness.app).get('/api/v1/audit').set('Authorization', `Bearer ${key}`)).status).toBe(200);

  const onCommandLine = await cli(['revoke-api-key', '--key', key]);
  expect(onCommandLine.code).toBe(1);
  expect(onCommandLine.stderr).toContain('standard input');
  expect((await request(harness.app).get('/api/v1/audit').set('Authorization', `Bearer ${key}`)).status).toBe(200);

  const revoked = await cli(['revoke-api-key'], harness.env.env, Buffer.from(`${key}\n`));
  expect(revoked.code).toBe(0);
  expect((await request(harness.app).get('/api/v1/audit').set('Authorization', `Bearer ${key}`)).status).toBe(401);
  expect((await cli(['revoke-api-key'], harness.env.env, Buffer.from(key))).code).toBe(1);
});

it('creates a viewer key: it reads the dashboard and status, and changes nothing', async () => {
  const created = await cli(['create-api-key', '--workspace', 'ws_cli', '--role', 'viewer']);
  expect(created.code).toBe(0);
  const key = created.stdout.toString().trim().split('\n').at(-1) as string;
  expect((await request(harness.app).get('/admin/queues/api/queues').set('Authorization', `Bearer ${key}`)).status).toBe(200);
  expect((await request(harness.app).put('/admin/queues/api/queues/exports/pause').set('Authorization', `Bearer ${key}`)).status).toBe(403);
  expect((await request(harness.app).post('/api/v1/export/create').set('Authorization', `Bearer ${key}`).send({})).status).toBe(403);
  expect((await request(harness.app).get('/api/v1/audit').set('Authorization', `Bearer ${key}`)).status).toBe(403);
});

it('explains bad arguments', async () => {
  const result = await cli(['create-api-key', '--workspace', 'ws_cli', '--role', 'owner']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('--role must be one of admin, member, viewer');
  const huge = await cli(['seed', '--workspace', 'ws_cli', '--rows', '1000000000']);
  expect(huge.code).toBe(1);
  expect(huge.stderr).toContain('--rows must be a whole number from 0 to 100,000,000');
});

it('refuses to rotate onto the development key', async () => {
  const { EXPORT_SECRET_KEY: _current, ...withoutKey } = harness.env.env;
  const result = await cli(['rotate-secret-key'], { ...withoutKey, EXPORT_SECRET_KEY: '' });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('EXPORT_SECRET_KEY is not set');
});

it('rotates EXPORT_SECRET_KEY without losing stored credentials', async () => {
  const admin = await harness.createKey('ws_rotate', 'admin');
  const secret = { password: 'sftp-Secret-Value-91' };
  const created = await request(harness.app)
    .post('/api/v1/credentials')
    .set('Authorization', `Bearer ${admin}`)
    .send({ name: 'sftp-main', kind: 'sftp', config: { host: 'sftp.example.com', port: 22 }, secret });
  expect(created.status).toBe(201);
  expect(JSON.stringify(created.body)).not.toContain(secret.password);
  const webhook = await request(harness.app).post('/api/v1/delivery-settings/webhook-secret').set('Authorization', `Bearer ${admin}`);
  expect(webhook.status).toBe(201);

  const oldKey = harness.env.env.EXPORT_SECRET_KEY as string;
  const newKey = randomBytes(32).toString('hex');
  const rotated = await cli(['rotate-secret-key'], { ...harness.env.env, EXPORT_SECRET_KEY: newKey, EXPORT_SECRET_KEY_PREVIOUS: oldKey });
  expect(rotated.code).toBe(0);
  expect(rotated.stdout.toString()).toContain('re-sealed 1 credential(s)');
  expect(rotated.stdout.toString()).toContain('1 delivery or webhook secret(s)');

  const dataSource = await openMetadataStore({ url: harness.env.config.database.url, poolSize: 1, applicationName: 'test', migrate: false });
  try {
    const [stored] = await new CredentialRepository(dataSource).listForWorkspace('ws_rotate');
    expect(stored!.sealedSecret).not.toContain(secret.password);
    expect(stored!.sealedSecret.split('.')[1]).toBe(keyId(Buffer.from(newKey, 'hex')));
    const keys = { key: Buffer.from(newKey, 'hex'), previousKeys: [] };
    expect(JSON.parse(openSecret(stored!.sealedSecret, keys, credentialContext(stored!)))).toEqual(secret);
    // Bound to its own record: the same sealed value does not open as another credential's, even in the same workspace.
    expect(() => openSecret(stored!.sealedSecret, keys, credentialContext({ ...stored!, id: randomUUID() }))).toThrow();
    expect(() => openSecret(stored!.sealedSecret, keys, 'ws_rotate')).toThrow();
    const settings = await new DeliverySettingsRepository(dataSource).find('ws_rotate');
    expect(openSecret(settings.sealedWebhookSecret!, keys, webhookSecretContext('ws_rotate'))).toBe(webhook.body.webhook_secret);
  } finally {
    await dataSource.destroy();
  }
});

it('stops a service at start with one line naming a bad setting', async () => {
  const result = await runTool(process.execPath, [API], { env: { ...process.env, ...harness.env.env, PORT: 'eighty', REDIS_URL: 'http://nope' } });
  expect(result.code).toBe(78);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('PORT must be a whole number (got "eighty")');
  expect(lines[0]).toContain('REDIS_URL must look like redis://host:6379');
  expect(() => loadConfig({ ...harness.env.env, NODE_ENV: 'production', EXPORT_SECRET_KEY: '' })).toThrow(/EXPORT_SECRET_KEY is required/);
});

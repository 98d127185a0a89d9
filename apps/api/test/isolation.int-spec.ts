import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import { AccessRepository } from '@export-service/db';
import { createLogger } from '@export-service/logger';
import { hashApiKey } from '@export-service/security';
import { edgeCaseActivityRows, insertActivityRows, parseCsv } from '@export-service/testing';
import { startWorkerRuntime, type WorkerRuntime } from '../../worker/src/worker-runtime';
import { download, startHarness, type Harness } from './support/harness';

/**
 * Authentication, roles and workspace isolation. The harness starts without a worker so an export
 * stays queued for as long as the tests need; a worker is started half-way to complete it.
 */

const A = 'ws_iso_a';
const B = 'ws_iso_b';
let harness: Harness;
let worker: WorkerRuntime | null = null;
const keys = { adminA: '', memberA: '', adminB: '', memberB: '' };
let jobA = '';

/** Every response body seen by this file, scanned for secrets at the end. */
const seen: string[] = [];
const SECRETS = { secret_access_key: `sak-${randomBytes(12).toString('hex')}`, password: `pw-${randomBytes(12).toString('hex')}` };

function track(response: request.Response): request.Response {
  seen.push(`${JSON.stringify(response.headers)}\n${response.text ?? ''}`);
  return response;
}
const as = (key: string | null) => ({
  get: async (path: string) => track(await withKey(request(harness.app).get(path), key)),
  head: async (path: string) => track(await withKey(request(harness.app).head(path), key)),
  delete: async (path: string) => track(await withKey(request(harness.app).delete(path), key)),
  post: async (path: string, body: object) => track(await withKey(request(harness.app).post(path), key).send(body)),
});
function withKey(test: request.Test, key: string | null): request.Test {
  return key === null ? test : test.set('Authorization', `Bearer ${key}`);
}

/** The error contract: status, code, exact shape. */
function expectError(response: request.Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
  expect(response.body.error.message.length).toBeGreaterThan(0);
}

/** A job id of the same shape and length as a real one, that does not exist. */
const unknownJobId = () => `job_${randomBytes(16).toString('hex')}`;

/** A body with the job id taken out, to compare answers about different ids. */
const withoutId = (response: request.Response, id: string) => ({
  status: response.status,
  type: response.headers['content-type'],
  length: response.text.length,
  body: response.text.split(id).join('<id>'),
});

async function createExport(key: string, name: string): Promise<string> {
  const response = await as(key).post('/api/v1/export/create', { name, format: 'csv', data_sources: [{ type: 'user_activity', fields: ['user_id', 'action', 'timestamp'] }] });
  expect(response.status).toBe(202);
  return response.body.job_id as string;
}

beforeAll(async () => {
  harness = await startHarness('isolation', { withWorker: false });
  keys.adminA = await harness.createKey(A, 'admin');
  keys.memberA = await harness.createKey(A, 'member');
  keys.adminB = await harness.createKey(B, 'admin');
  keys.memberB = await harness.createKey(B, 'member');
  await insertActivityRows(harness.env.analyticsPool, [...edgeCaseActivityRows(A), ...edgeCaseActivityRows(B)]);
  jobA = await createExport(keys.memberA, 'export of A');
});

afterAll(async () => {
  await worker?.stop(5_000);
  await harness.close();
});

describe('authentication', () => {
  const NO_CREDENTIAL = '00000000-0000-4000-8000-000000000000';
  /** `:job` stands for the export of workspace A. */
  const endpoints: Array<[method: 'get' | 'post' | 'delete', path: string]> = [
    ['post', '/api/v1/export/create'],
    ['get', '/api/v1/export/status/:job'],
    ['get', '/api/v1/export/download/:job/0'],
    ['delete', '/api/v1/export/:job'],
    ['get', '/api/v1/audit'],
    ['get', '/api/v1/credentials'],
    ['post', '/api/v1/credentials'],
    ['delete', `/api/v1/credentials/${NO_CREDENTIAL}`],
  ];
  const badHeaders: Array<[string, () => string | null]> = [
    ['no Authorization header', () => null],
    ['an empty Authorization header', () => ''],
    ['Basic credentials', () => `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['Bearer without a key', () => 'Bearer'],
    ['Bearer and a random string', () => `Bearer ${randomBytes(20).toString('hex')}`],
    ['a well-formed dxk_ key nobody issued', () => `Bearer dxk_${randomBytes(32).toString('base64url')}`],
    ['a dxk_ key one character short', () => `Bearer ${keys.adminA.slice(0, -1)}`],
    ['a real key without the Bearer scheme', () => keys.adminA],
    ['a real key after another scheme', () => `Token ${keys.adminA}`],
    ['a real key followed by junk', () => `Bearer ${keys.adminA} extra`],
    ['two keys', () => `Bearer ${keys.adminA},Bearer ${keys.adminB}`],
  ];

  describe.each(endpoints)('%s %s', (method, path) => {
    it.each(badHeaders)('answers 401 with WWW-Authenticate to %s', async (_title, header) => {
      const value = header();
      let test = request(harness.app)[method](path.replace(':job', jobA));
      if (value !== null) test = test.set('Authorization', value);
      const response = track(method === 'post' ? await test.send({ name: 'x', format: 'csv', data_sources: [{ type: 'user_activity' }] }) : await test);
      expectError(response, 401, 'unauthenticated');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    });
  });

  it('refuses a revoked key with the same 401 as an unknown key', async () => {
    const key = await harness.createKey(A, 'admin');
    expect((await as(key).get(`/api/v1/export/status/${jobA}`)).status).toBe(200);
    expect(await new AccessRepository(harness.deps.dataSource).revokeByHash(hashApiKey(key))).toBe(true);
    const revoked = await as(key).get(`/api/v1/export/status/${jobA}`);
    expectError(revoked, 401, 'unauthenticated');
    expect(revoked.headers['www-authenticate']).toMatch(/^Bearer/);
    const unknown = await as(`dxk_${randomBytes(32).toString('base64url')}`).get(`/api/v1/export/status/${jobA}`);
    expect(revoked.body).toEqual(unknown.body);
    for (const path of ['/api/v1/audit', '/api/v1/credentials']) expectError(await as(key).get(path), 401, 'unauthenticated');
  });
});

describe('while the export is queued', () => {
  it('a download answers 400 export_not_completed', async () => {
    expect((await as(keys.memberA).get(`/api/v1/export/status/${jobA}`)).body.status).toBe('queued');
    const response = await as(keys.memberA).get(`/api/v1/export/download/${jobA}/0`);
    expectError(response, 400, 'export_not_completed');
    expectError(await as(keys.adminA).get(`/api/v1/export/download/${jobA}/0`), 400, 'export_not_completed');
  });

  it('another workspace gets 404 for it, not 400: the state of a job it cannot see never shows', async () => {
    for (const key of [keys.memberB, keys.adminB]) {
      expectError(await as(key).get(`/api/v1/export/status/${jobA}`), 404, 'not_found');
      expectError(await as(key).get(`/api/v1/export/download/${jobA}/0`), 404, 'not_found');
      expectError(await as(key).get(`/api/v1/export/download/${jobA}/not-a-number`), 404, 'not_found');
    }
  });
});

describe('once the export completed', () => {
  beforeAll(async () => {
    const lines: string[] = harness.logLines;
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    worker = await startWorkerRuntime(harness.env.config, createLogger({ service: 'worker', level: 'debug', format: 'json', stream }));
    const status = await harness.waitForStatus(jobA, keys.memberA);
    expect(status.status).toBe('completed');
  });

  it('its own workspace reads and downloads it, members and admins alike', async () => {
    for (const key of [keys.memberA, keys.adminA]) {
      const status = await as(key).get(`/api/v1/export/status/${jobA}`);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ job_id: jobA, status: 'completed' });
      const file = await download(harness.app, key, `/api/v1/export/download/${jobA}/0`);
      expect(file.status).toBe(200);
      expect(file.headers['x-checksum']).toBe(status.body.files[0].checksum);
    }
  });

  it.each([
    ['member', () => keys.memberB],
    ['admin', () => keys.adminB],
  ])('a %s of another workspace gets 404 on status, download and HEAD', async (_role, key) => {
    expectError(await as(key()).get(`/api/v1/export/status/${jobA}`), 404, 'not_found');
    expectError(await as(key()).get(`/api/v1/export/download/${jobA}/0`), 404, 'not_found');
    expectError(await as(key()).get(`/api/v1/export/download/${jobA}/1`), 404, 'not_found');
    expectError(await as(key()).get(`/api/v1/export/download/${jobA}/abc`), 404, 'not_found');
    const head = await as(key()).head(`/api/v1/export/download/${jobA}/0`);
    expect(head.status).toBe(404);
    expect(head.headers['x-checksum']).toBeUndefined();
    expect(head.headers['content-disposition']).toBeUndefined();
  });

  it('answers a job of another workspace exactly like a job that does not exist', async () => {
    const missing = unknownJobId();
    const pairs: Array<[string, string]> = [
      [`/api/v1/export/status/${jobA}`, `/api/v1/export/status/${missing}`],
      [`/api/v1/export/download/${jobA}/0`, `/api/v1/export/download/${missing}/0`],
      [`/api/v1/export/download/${jobA}/abc`, `/api/v1/export/download/${missing}/abc`],
    ];
    for (const [theirs, nobodys] of pairs) {
      const foreign = await as(keys.adminB).get(theirs);
      const unknown = await as(keys.adminB).get(nobodys);
      expectError(foreign, 404, 'not_found');
      expect(withoutId(foreign, jobA)).toEqual(withoutId(unknown, missing));
      const sameHeaders = (response: request.Response) =>
        Object.keys(response.headers)
          .filter((name) => !['date', 'x-request-id'].includes(name))
          .sort();
      expect(sameHeaders(foreign)).toEqual(sameHeaders(unknown));
    }
  });

  it("an export of B holds B's rows only, whatever A has", async () => {
    const jobB = await createExport(keys.memberB, 'export of B');
    const status = await harness.waitForStatus(jobB, keys.memberB);
    expect(status.status).toBe('completed');
    const file = await download(harness.app, keys.memberB, status.files[0].download_url as string);
    const exported = (await parseCsv(file.body)).map((row) => row.user_id).sort();
    const { rows } = await harness.env.analyticsPool.query<{ user_id: string }>(`SELECT user_id::text FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL`, [B]);
    expect(exported).toEqual(rows.map((row) => row.user_id).sort());
    expect(exported).toHaveLength(12);
    expectError(await as(keys.memberA).get(`/api/v1/export/status/${jobB}`), 404, 'not_found');
  });

  it("B never sees A's export in its own audit trail", async () => {
    const audit = await as(keys.adminB).get('/api/v1/audit?limit=500');
    expect(audit.status).toBe(200);
    expect(audit.text).not.toContain(jobA);
  });
});

describe('admin endpoints', () => {
  it.each([
    ['GET', '/api/v1/audit'],
    ['GET', '/api/v1/credentials'],
    ['POST', '/api/v1/credentials'],
    ['DELETE', '/api/v1/credentials/00000000-0000-4000-8000-000000000000'],
  ])('%s %s answers 403 to a member key', async (method, path) => {
    const caller = as(keys.memberA);
    const response =
      method === 'GET'
        ? await caller.get(path)
        : method === 'POST'
          ? await caller.post(path, { name: 'nope', kind: 's3', secret: { secret_access_key: SECRETS.secret_access_key } })
          : await caller.delete(path);
    expectError(response, 403, 'forbidden');
  });

  it('answers an admin key: credentials are created, listed and deleted without their secret ever coming back', async () => {
    const created = await as(keys.adminA).post('/api/v1/credentials', { name: 'warehouse', kind: 's3', config: { bucket: 'exports', region: 'eu-west-1' }, secret: SECRETS });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'warehouse',
      kind: 's3',
      config: { bucket: 'exports', region: 'eu-west-1' },
      secret_fields: ['secret_access_key', 'password'],
      created_at: expect.any(String),
    });
    expect(created.body).not.toHaveProperty('secret');

    const listed = await as(keys.adminA).get('/api/v1/credentials');
    expect(listed.status).toBe(200);
    expect(listed.body.credentials.map((credential: { id: string }) => credential.id)).toEqual([created.body.id]);
    expect(listed.body.credentials[0]).not.toHaveProperty('secret');

    expectError(await as(keys.adminA).post('/api/v1/credentials', { name: 'warehouse', kind: 's3', secret: { secret_access_key: 'other' } }), 409, 'conflict');

    const deleted = await as(keys.adminA).delete(`/api/v1/credentials/${created.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: created.body.id, deleted: true });
    expectError(await as(keys.adminA).delete(`/api/v1/credentials/${created.body.id}`), 404, 'not_found');
  });

  it('credentials of workspace A are invisible to B and cannot be deleted by B', async () => {
    const created = await as(keys.adminA).post('/api/v1/credentials', { name: 'sftp-a', kind: 'sftp', config: { host: 'sftp.a.example' }, secret: { password: SECRETS.password } });
    expect(created.status).toBe(201);
    const idA = created.body.id as string;

    const listB = await as(keys.adminB).get('/api/v1/credentials');
    expect(listB.status).toBe(200);
    expect(listB.text).not.toContain(idA);
    expect(listB.text).not.toContain('sftp.a.example');

    const foreign = await as(keys.adminB).delete(`/api/v1/credentials/${idA}`);
    const missing = await as(keys.adminB).delete('/api/v1/credentials/00000000-0000-4000-8000-000000000000');
    expectError(foreign, 404, 'not_found');
    expect(withoutId(foreign, idA)).toEqual(withoutId(missing, '00000000-0000-4000-8000-000000000000'));
    expectError(await as(keys.adminB).delete('/api/v1/credentials/not-a-uuid'), 404, 'not_found');

    // Names are per workspace: B may use the same one.
    const sameName = await as(keys.adminB).post('/api/v1/credentials', { name: 'sftp-a', kind: 'sftp', secret: { password: 'b-own-password-1' } });
    expect(sameName.status).toBe(201);
    expect(sameName.body.id).not.toBe(idA);

    const stillThere = await as(keys.adminA).get('/api/v1/credentials');
    expect(stillThere.body.credentials.map((credential: { id: string }) => credential.id)).toContain(idA);
  });

  it("the audit trail lists the create and download events with the caller's IP, for admins of that workspace only", async () => {
    const audit = await as(keys.adminA).get('/api/v1/audit?limit=500');
    expect(audit.status).toBe(200);
    const entries = audit.body.entries as Array<Record<string, unknown>>;
    const create = entries.find((entry) => entry.action === 'export.create' && entry.target_id === jobA);
    const downloads = entries.filter((entry) => entry.action === 'export.download' && entry.target_id === `${jobA}/0` && entry.outcome === 'success');
    expect(create).toMatchObject({
      outcome: 'success',
      target_type: 'export',
      user_id: expect.any(String),
      ip: expect.stringMatching(/\S/),
      api_key_hint: keys.memberA.slice(0, 10),
    });
    expect(downloads.length).toBeGreaterThanOrEqual(2);
    for (const entry of downloads) expect(entry).toMatchObject({ target_type: 'export_file', ip: expect.stringMatching(/\S/) });
    expect(entries.some((entry) => entry.action === 'credential.create')).toBe(true);
    expect(entries.every((entry) => !String(entry.api_key_hint).startsWith(keys.adminB.slice(0, 10)))).toBe(true);
    // Hints are short prefixes, never whole keys.
    for (const key of Object.values(keys)) expect(audit.text).not.toContain(key);
  });

  it('no response and no log line ever held a credential secret or a whole API key', () => {
    expect(seen.length).toBeGreaterThan(50);
    for (const text of [...seen, ...harness.logLines]) {
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    }
    for (const line of harness.logLines) for (const key of Object.values(keys)) expect(line).not.toContain(key);
  });
});

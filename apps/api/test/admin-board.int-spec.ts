import request from 'supertest';
import { QueueName } from '@export-service/contracts';
import { edgeCaseActivityRows, insertActivityRows } from '@export-service/testing';
import { AdminSessions } from '../src/routes/admin/admin-session';
import { startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_board';
let harness: Harness;
const keys = { admin: '', member: '', viewer: '' };
const secrets: string[] = [];
let jobId = '';

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const board = (path = '') => `/admin/queues${path}`;

/** Logs in through the form and returns the cookies it set, as a Cookie header, with the CSRF token. */
async function login(key: string): Promise<{ cookie: string; csrf: string; setCookie: string[] }> {
  const answer = await request(harness.app).post('/admin/login').type('form').send({ api_key: key });
  expect(answer.status).toBe(303);
  expect(answer.headers.location).toBe('/admin/queues');
  const setCookie = answer.headers['set-cookie'] as unknown as string[];
  const pairs = setCookie.map((line) => line.split(';')[0] as string);
  const csrf = (pairs.find((pair) => pair.startsWith('XSRF-TOKEN=')) ?? '').slice('XSRF-TOKEN='.length);
  return { cookie: pairs.join('; '), csrf, setCookie };
}

beforeAll(async () => {
  harness = await startHarness('board');
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.member = await harness.createKey(WORKSPACE, 'member');
  keys.viewer = await harness.createKey(WORKSPACE, 'viewer');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  // An encrypted export with a password of its own, and a stored credential: none of it may show on the board.
  const password = 'Board-Secret-Passw0rd!';
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set(bearer(keys.member))
    .send({ name: 'board', format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity' }], encryption: { enabled: true, password_protected: true, password } });
  expect(created.status).toBe(202);
  jobId = created.body.job_id as string;
  expect((await harness.waitForStatus(jobId, keys.member)).status).toBe('completed');
  const credential = await request(harness.app)
    .post('/api/v1/credentials')
    .set(bearer(keys.admin))
    .send({ name: 'board-sftp', kind: 'sftp', config: { host: 'example.test' }, secret: { password: 'Sftp-Secret-Value-42' } });
  expect(credential.status).toBe(201);
  secrets.push(password, 'Sftp-Secret-Value-42', harness.env.env.EXPORT_SECRET_KEY as string, keys.admin, keys.member, keys.viewer);
  const [row] = (await harness.dataSource.query('SELECT password_hash FROM export_jobs WHERE id = $1', [jobId])) as Array<{ password_hash: string | null }>;
  if (row?.password_hash) secrets.push(row.password_hash);
});

afterAll(async () => {
  await harness.close();
});

describe('who gets in', () => {
  it.each([
    ['no credentials', {}, 401],
    ['a wrong key', bearer('dxk_not_a_real_key_at_all_000000000000'), 401],
    ['garbage in the header', { Authorization: 'Basic Zm9vOmJhcg==' }, 401],
    ['a forged session cookie', { Cookie: 'export_admin_session=eyJrIjoieCJ9.c2lnbmF0dXJl' }, 401],
  ])('answers %s with its status and no job data', async (_what, headers, status) => {
    for (const path of [board(), board('/api/queues'), board(`/api/queues/${QueueName.exports}/${jobId}`), board('/static/js/main.js')]) {
      const answer = await request(harness.app).get(path).set(headers);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(answer.text).not.toContain(jobId);
      expect(answer.text).not.toContain('"queues"');
    }
  });

  it('answers members 403 (the board is for admins and viewers)', async () => {
    const answer = await request(harness.app).get(board('/api/queues')).set(bearer(keys.member));
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('forbidden');
    expect(answer.text).not.toContain(jobId);
    const form = await request(harness.app).post('/admin/login').type('form').send({ api_key: keys.member });
    expect(form.status).toBe(403);
    expect(form.headers['set-cookie']).toBeUndefined();
  });

  it('shows a browser without credentials the login form (401), and a wrong key the form again', async () => {
    const page = await request(harness.app).get(board()).set('Accept', 'text/html');
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form method="post" action="/admin/login">');
    const wrong = await request(harness.app).post('/admin/login').type('form').send({ api_key: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('lists every queue of the registry for an admin key', async () => {
    const answer = await request(harness.app).get(board('/api/queues')).set(bearer(keys.admin));
    expect(answer.status).toBe(200);
    const names = (answer.body.queues as Array<{ name: string; readOnlyMode: boolean }>).map((queue) => queue.name).sort();
    expect(names).toEqual(Object.values(QueueName).sort());
    expect((answer.body.queues as Array<{ readOnlyMode: boolean }>).every((queue) => !queue.readOnlyMode)).toBe(true);
    const page = await request(harness.app).get(board()).set(bearer(keys.admin));
    expect(page.status).toBe(200);
    expect(page.text).toContain('__UI_CONFIG__');
  });
});

describe('what the board shows', () => {
  it('holds ids only: no password, hash, credential secret, API key or EXPORT_SECRET_KEY in anything its API returns', async () => {
    const bodies: string[] = [];
    for (const queue of Object.values(QueueName)) {
      for (const status of ['latest', 'completed', 'failed', 'waiting', 'delayed', 'active']) {
        const answer = await request(harness.app)
          .get(board(`/api/queues?activeQueue=${queue}&status=${status}&page=1&jobsPerPage=50`))
          .set(bearer(keys.admin));
        expect(answer.status).toBe(200);
        bodies.push(answer.text);
      }
    }
    const job = await request(harness.app)
      .get(board(`/api/queues/${QueueName.exports}/${jobId}`))
      .set(bearer(keys.admin));
    expect(job.status).toBe(200);
    expect(job.body.job.data).toEqual({ exportJobId: jobId });
    bodies.push(job.text, (await request(harness.app).get(board('/api/redis/stats')).set(bearer(keys.admin))).text);
    const all = bodies.join('\n');
    expect(all).toContain(jobId);
    for (const secret of secrets) expect(all.includes(secret)).toBe(false);
  });
});

describe('viewers', () => {
  it('see the board read only, and its changing API is refused on the server too', async () => {
    const queues = await request(harness.app).get(board('/api/queues')).set(bearer(keys.viewer));
    expect(queues.status).toBe(200);
    expect((queues.body.queues as Array<{ readOnlyMode: boolean }>).every((queue) => queue.readOnlyMode)).toBe(true);
    for (const [method, path] of [
      ['put', `/api/queues/${QueueName.maintenance}/pause`],
      ['put', `/api/queues/${QueueName.exports}/retry/failed`],
      ['put', `/api/queues/${QueueName.exports}/clean/completed`],
      ['put', `/api/queues/${QueueName.exports}/${jobId}/clean`],
      ['post', `/api/queues/${QueueName.exports}/add`],
      ['put', '/api/queues/pause'],
    ] as const) {
      const answer = await request(harness.app)[method](board(path)).set(bearer(keys.viewer)).send({});
      expect({ path, status: answer.status, code: answer.body.error?.code }).toEqual({ path, status: 403, code: 'read_only_role' });
    }
    expect(await harness.deps.queues[QueueName.maintenance].isPaused()).toBe(false);
    expect(await harness.deps.queues[QueueName.exports].getJobState(jobId)).toBe('completed');
  });

  it('may read export status of the whole workspace, but not download, create or delete', async () => {
    expect((await request(harness.app).get(`/api/v1/export/status/${jobId}`).set(bearer(keys.viewer))).status).toBe(200);
    const downloadAnswer = await request(harness.app).get(`/api/v1/export/download/${jobId}/0`).set(bearer(keys.viewer));
    expect(downloadAnswer.status).toBe(403);
    expect(downloadAnswer.body.error.code).toBe('read_only_role');
    expect((await request(harness.app).delete(`/api/v1/export/${jobId}`).set(bearer(keys.viewer))).status).toBe(403);
    expect((await request(harness.app).post('/api/v1/export/create').set(bearer(keys.viewer)).send({})).status).toBe(403);
  });
});

describe('the login session', () => {
  it('is an HttpOnly, SameSite=Strict, expiring, signed cookie (not Secure on plain http), with a readable CSRF cookie', async () => {
    const { setCookie } = await login(keys.viewer);
    const session = setCookie.find((line) => line.startsWith('export_admin_session='));
    const csrf = setCookie.find((line) => line.startsWith('XSRF-TOKEN='));
    expect(session).toMatch(/; Path=\/admin; Max-Age=28800; SameSite=Strict; HttpOnly$/);
    expect(csrf).toMatch(/; Path=\/admin; Max-Age=28800; SameSite=Strict$/);
    expect(session).not.toContain(keys.viewer);
  });

  it('opens the board for a viewer read only, and a change stays refused', async () => {
    const viewer = await login(keys.viewer);
    expect((await request(harness.app).get(board('/api/queues')).set('Cookie', viewer.cookie)).status).toBe(200);
    const pause = await request(harness.app)
      .put(board(`/api/queues/${QueueName.maintenance}/pause`))
      .set({ Cookie: viewer.cookie, 'X-XSRF-TOKEN': viewer.csrf });
    expect(pause.status).toBe(403);
  });

  it('lets an admin change state only with the CSRF token of its session', async () => {
    const admin = await login(keys.admin);
    const other = await login(keys.admin);
    const path = board(`/api/queues/${QueueName.maintenance}/pause`);
    const withoutToken = await request(harness.app).put(path).set('Cookie', admin.cookie);
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.body.error.code).toBe('csrf_failed');
    const wrongToken = await request(harness.app).put(path).set({ Cookie: admin.cookie, 'X-XSRF-TOKEN': other.csrf });
    expect(wrongToken.status).toBe(403);
    expect(await harness.deps.queues[QueueName.maintenance].isPaused()).toBe(false);
    const paused = await request(harness.app).put(path).set({ Cookie: admin.cookie, 'X-XSRF-TOKEN': admin.csrf });
    expect(paused.status).toBe(200);
    expect(await harness.deps.queues[QueueName.maintenance].isPaused()).toBe(true);
    const resumed = await request(harness.app)
      .put(board(`/api/queues/${QueueName.maintenance}/resume`))
      .set({ Cookie: admin.cookie, 'X-XSRF-TOKEN': admin.csrf });
    expect(resumed.status).toBe(200);
    expect(await harness.deps.queues[QueueName.maintenance].isPaused()).toBe(false);
  });

  it('refuses a login posted from another site (login CSRF)', async () => {
    for (const headers of [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site', Origin: 'null' }]) {
      const answer = await request(harness.app).post('/admin/login').set(headers).type('form').send({ api_key: keys.admin });
      expect(answer.status).toBe(403);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    // What Chromium sends for the form itself under helmet's no-referrer policy.
    const own = await request(harness.app).post('/admin/login').set({ 'Sec-Fetch-Site': 'same-origin', Origin: 'null' }).type('form').send({ api_key: keys.admin });
    expect(own.status).toBe(303);
  });

  it('stops working when the key is revoked, when it expires, or when its signature is touched', async () => {
    const key = await harness.createKey(WORKSPACE, 'admin');
    const session = await login(key);
    expect((await request(harness.app).get(board('/api/queues')).set('Cookie', session.cookie)).status).toBe(200);
    const tampered = session.cookie.replace(
      /export_admin_session=([^.]+)\.(.)/,
      (_all, payload: string, first: string) => `export_admin_session=${payload}.${first === 'A' ? 'B' : 'A'}`,
    );
    expect((await request(harness.app).get(board('/api/queues')).set('Cookie', tampered)).status).toBe(401);
    await harness.deps.access.revokeByHash((await import('@export-service/security')).hashApiKey(key));
    const revoked = await request(harness.app).get(board('/api/queues')).set('Cookie', session.cookie);
    expect(revoked.status).toBe(401);
    expect(String(revoked.headers['set-cookie'])).toContain('export_admin_session=; Path=/admin; Max-Age=0');

    const sessions = new AdminSessions(harness.env.config.secrets.key, 60, false);
    const principal = await harness.deps.access.findActiveKey((await import('@export-service/security')).hashApiKey(keys.admin));
    const old = sessions.issue(principal!.apiKeyId, Date.now() - 61_000);
    expect((await request(harness.app).get(board('/api/queues')).set('Cookie', `export_admin_session=${old.token}`)).status).toBe(401);
    const fresh = sessions.issue(principal!.apiKeyId);
    expect((await request(harness.app).get(board('/api/queues')).set('Cookie', `export_admin_session=${fresh.token}`)).status).toBe(200);
  });

  it('is Secure when PUBLIC_BASE_URL is https', () => {
    const secure = new AdminSessions(harness.env.config.secrets.key, 60, true);
    for (const line of secure.startCookies(secure.issue('key'))) expect(line).toMatch(/; Secure$/);
  });
});

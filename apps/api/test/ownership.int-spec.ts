import request from 'supertest';
import { insertActivityRows, edgeCaseActivityRows } from '@export-service/testing';
import { download, startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_owner';
let harness: Harness;
const keys: Record<'admin' | 'alice' | 'bob' | 'stranger', string> = { admin: '', alice: '', bob: '', stranger: '' };
let alicesJob: string;
let adminsJob: string;

async function createCompleted(key: string, name: string): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name, format: 'csv', data_sources: [{ type: 'user_activity' }] });
  expect(created.status).toBe(202);
  const done = await harness.waitForStatus(created.body.job_id as string, key);
  expect(done.status).toBe('completed');
  return created.body.job_id as string;
}

const statusOf = (jobId: string, key: string) => request(harness.app).get(`/api/v1/export/status/${jobId}`).set('Authorization', `Bearer ${key}`);

beforeAll(async () => {
  harness = await startHarness('ownership');
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.alice = await harness.createKey(WORKSPACE, 'member');
  keys.bob = await harness.createKey(WORKSPACE, 'member');
  keys.stranger = await harness.createKey('ws_stranger', 'admin');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  alicesJob = await createCompleted(keys.alice, "alice's export");
  adminsJob = await createCompleted(keys.admin, "the admin's export");
}, 120_000);

afterAll(() => harness.close());

describe('who sees an export', () => {
  it('a member sees and downloads the exports it created', async () => {
    expect((await statusOf(alicesJob, keys.alice)).status).toBe(200);
    expect((await download(harness.app, keys.alice, `/api/v1/export/download/${alicesJob}/0`)).status).toBe(200);
  });

  it("a member gets 404 for another member's export and for the admin's, as if it did not exist", async () => {
    for (const [jobId, key] of [
      [alicesJob, keys.bob],
      [adminsJob, keys.alice],
    ] as const) {
      const status = await statusOf(jobId, key);
      expect(status.status).toBe(404);
      expect(status.body.error.code).toBe('not_found');
      expect((await download(harness.app, key, `/api/v1/export/download/${jobId}/0`)).status).toBe(404);
    }
  });

  it('an admin sees and downloads every export of its workspace', async () => {
    for (const jobId of [alicesJob, adminsJob]) {
      expect((await statusOf(jobId, keys.admin)).status).toBe(200);
      expect((await download(harness.app, keys.admin, `/api/v1/export/download/${jobId}/0`)).status).toBe(200);
    }
  });

  it("another workspace's admin gets 404 for all of them", async () => {
    for (const jobId of [alicesJob, adminsJob]) {
      expect((await statusOf(jobId, keys.stranger)).status).toBe(404);
      expect((await download(harness.app, keys.stranger, `/api/v1/export/download/${jobId}/0`)).status).toBe(404);
    }
  });
});

describe('signed links to stored files', () => {
  async function storedFile(jobId: string) {
    const [file] = (await harness.dataSource.query(`SELECT storage_key, sha256, bytes FROM export_files WHERE job_id = $1 AND file_index = 0`, [jobId])) as Array<{
      storage_key: string;
      sha256: string;
      bytes: string;
    }>;
    return file as { storage_key: string; sha256: string; bytes: string };
  }

  it('serve the file without an API key, with its checksum and ranges, and write an audit row', async () => {
    const file = await storedFile(alicesJob);
    const url = new URL(await harness.deps.store.signedUrl(file.storage_key, 300));
    expect(url.origin).toBe(harness.env.config.http.publicBaseUrl);
    const whole = await download(harness.app, null, `${url.pathname}${url.search}`);
    expect(whole.status).toBe(200);
    expect(whole.headers['x-checksum']).toBe(`sha256:${file.sha256}`);
    expect(whole.body.length).toBe(Number(file.bytes));
    const part = await download(harness.app, null, `${url.pathname}${url.search}`, { Range: 'bytes=0-9' });
    expect(part.status).toBe(206);
    expect(part.body.equals(whole.body.subarray(0, 10))).toBe(true);
    const audit = await harness.deps.audit.list(WORKSPACE, { limit: 20 });
    expect(audit.some((row) => row.action === 'export.download' && (row.details as { via?: string }).via === 'signed link')).toBe(true);
  });

  it('refuse a forged, moved or expired link', async () => {
    const file = await storedFile(alicesJob);
    const url = new URL(await harness.deps.store.signedUrl(file.storage_key, 300));
    const signature = url.searchParams.get('signature') as string;
    const forged = `${url.pathname}?expires=${url.searchParams.get('expires')}&signature=${signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}`;
    expect((await request(harness.app).get(forged)).status).toBe(403);
    const moved = `${url.pathname.replace(/[^/]+$/, 'manifest.json')}${url.search}`;
    expect((await request(harness.app).get(moved)).status).toBe(403);
    const expired = new URL(harness.deps.linkSigner.sign(file.storage_key, 60, Date.now() - 3_600_000));
    const answer = await request(harness.app).get(`${expired.pathname}${expired.search}`);
    expect(answer.status).toBe(410);
    expect(answer.body.error.code).toBe('signed_link_expired');
  });

  it("stand in for the API key, not for a protected export's password", async () => {
    const created = await request(harness.app)
      .post('/api/v1/export/create')
      .set('Authorization', `Bearer ${keys.admin}`)
      .send({
        name: 'protected',
        format: 'csv',
        data_sources: [{ type: 'user_activity' }],
        encryption: { enabled: false, password_protected: true, password: 'Signed-Link-Password-7' },
      });
    expect(created.status).toBe(202);
    expect((await harness.waitForStatus(created.body.job_id as string, keys.admin)).status).toBe('completed');
    const file = await storedFile(created.body.job_id as string);
    const url = new URL(await harness.deps.store.signedUrl(file.storage_key, 300));
    expect((await download(harness.app, null, `${url.pathname}${url.search}`)).status).toBe(401);
    const opened = await download(harness.app, null, `${url.pathname}${url.search}`, { 'X-Export-Password': 'Signed-Link-Password-7' });
    expect(opened.status).toBe(200);
    expect(opened.body.length).toBe(Number(file.bytes));
  });

  it('refuse a validly signed key that no completed export lists', async () => {
    const unlisted = new URL(harness.deps.linkSigner.sign(`${WORKSPACE}/job_0123/run/never.csv`, 60));
    const answer = await request(harness.app).get(`${unlisted.pathname}${unlisted.search}`);
    expect(answer.status).toBe(410);
    expect(answer.body.error.code).toBe('gone');
  });
});

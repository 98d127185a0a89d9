import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { JobName } from '@export-service/contracts';
import { deleteExport } from '@export-service/exports';
import { edgeCaseActivityRows, insertActivityRows, runMaintenance, spawnService, stopService, type ServiceProcess } from '@export-service/testing';
import { download, startHarness, type Harness, type StatusBody } from './support/harness';

const WORKSPACE = 'ws_lifecycle';
let harness: Harness;
let worker: ServiceProcess;
const keys = { admin: '', alice: '', bob: '', stranger: '' };

const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
const statusOf = async (jobId: string, key = keys.alice) => (await request(harness.app).get(`/api/v1/export/status/${jobId}`).set(auth(key))).body as StatusBody;
const remove = (jobId: string, key = keys.alice) => request(harness.app).delete(`/api/v1/export/${jobId}`).set(auth(key));
/** Where a stored file sits on the local store's disk. */
const onDisk = (storageKey: string) => join(harness.env.config.storage.dir, storageKey);

async function create(body: Record<string, unknown> = {}, key = keys.alice): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set(auth(key))
    .send({ name: 'lifecycle', format: 'csv', compression: 'gzip', data_sources: [{ type: 'user_activity' }], ...body });
  expect(created.status).toBe(202);
  return created.body.job_id as string;
}

async function createCompleted(body: Record<string, unknown> = {}, key = keys.alice): Promise<{ jobId: string; status: StatusBody; keys: string[] }> {
  const jobId = await create(body, key);
  const status = await harness.waitForStatus(jobId, key);
  expect(status.status).toBe('completed');
  const files = await harness.deps.jobs.listFiles(jobId);
  const storageKeys = files.map((file) => file.storageKey);
  for (const storageKey of storageKeys) expect(existsSync(onDisk(storageKey))).toBe(true);
  return { jobId, status, keys: storageKeys };
}

beforeAll(async () => {
  harness = await startHarness('lifecycle', { withWorker: false, overrides: { EXPORT_TTL_DAYS: '7' } });
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.alice = await harness.createKey(WORKSPACE, 'member');
  keys.bob = await harness.createKey(WORKSPACE, 'member');
  keys.stranger = await harness.createKey('ws_lifecycle_other', 'admin');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
}, 120_000);

afterAll(async () => {
  if (worker) await stopService(worker);
  await harness.close();
});

describe('while an export is queued', () => {
  it('answers 409 to DELETE, naming the way out (cancel first), and keeps the export', async () => {
    const jobId = await create();
    const answer = await remove(jobId);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('export_running');
    expect(answer.body.error.message).toMatch(/queued; cancel it first/);
    expect((await statusOf(jobId)).status).toBe('queued');
    // Later tests need a worker; this export is simply run by it.
    worker = spawnService('worker', harness.env.env);
    expect((await harness.waitForStatus(jobId, keys.alice)).status).toBe('completed');
  }, 60_000);
});

describe('DELETE /export/{job_id}', () => {
  it('removes every file from storage, answers what it freed, keeps the row, and downloads answer 410', async () => {
    const { jobId, status, keys: storageKeys } = await createCompleted();
    const bytes = (status.files as StatusBody[]).reduce((sum, file) => sum + (file.bytes as number), 0);
    const answer = await remove(jobId);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ job_id: jobId, deleted: true, files_removed: 2, space_freed_mb: Math.round((bytes / 1e6) * 1000) / 1000 });
    for (const storageKey of storageKeys) expect(existsSync(onDisk(storageKey))).toBe(false);

    const after = await statusOf(jobId);
    expect(after).toMatchObject({ status: 'completed', files_available: false, deletion_reason: 'user' });
    expect(Date.parse(after.deleted_at as string)).toBeGreaterThan(Date.parse(after.completed_at as string) - 1);
    const gone = await download(harness.app, keys.alice, `/api/v1/export/download/${jobId}/0`);
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body.toString()).error.code).toBe('export_deleted');

    const again = await remove(jobId);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('export_deleted');
    const [audit] = (await harness.dataSource.query(`SELECT details FROM audit_log WHERE action = 'export.delete' AND target_id = $1`, [jobId])) as Array<{
      details: Record<string, number>;
    }>;
    expect(audit?.details).toEqual({ files_removed: 2, bytes_freed: bytes });
  }, 60_000);

  it("is the owner's or an admin's to do: another member and another workspace get 404, and nothing is removed", async () => {
    const { jobId, keys: storageKeys } = await createCompleted();
    for (const key of [keys.bob, keys.stranger]) {
      const answer = await remove(jobId, key);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
    }
    for (const storageKey of storageKeys) expect(existsSync(onDisk(storageKey))).toBe(true);
    expect((await remove(jobId, keys.admin)).status).toBe(200);
  }, 60_000);

  it('deletes a failed export too (nothing left to free), and refuses malformed ids with 404', async () => {
    const jobId = await create({ data_sources: [{ type: 'user_activity', fields: ['id'] }] });
    await harness.waitForStatus(jobId, keys.alice);
    await harness.dataSource.query(`UPDATE export_jobs SET status = 'failed' WHERE id = $1`, [jobId]);
    expect((await remove(jobId)).body).toMatchObject({ deleted: true });
    expect((await remove('job_../../etc')).status).toBe(404);
  }, 60_000);
});

describe('expiry', () => {
  it('sets expires_at from ttl_days, or EXPORT_TTL_DAYS, and refuses a ttl outside 1..3650 naming the field', async () => {
    const jobId = await create({ ttl_days: 3 });
    const status = await statusOf(jobId);
    expect(Date.parse(status.expires_at as string) - Date.parse(status.created_at as string)).toBeCloseTo(3 * 86_400_000, -4);
    const byDefault = await statusOf(await create());
    expect(Date.parse(byDefault.expires_at as string) - Date.parse(byDefault.created_at as string)).toBeCloseTo(7 * 86_400_000, -4);
    for (const ttl of [0, -1, 3651, 1.5, '3']) {
      const refused = await request(harness.app)
        .post('/api/v1/export/create')
        .set(auth(keys.alice))
        .send({ name: 'x', format: 'csv', data_sources: [{ type: 'user_activity' }], ttl_days: ttl });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details[0].field).toBe('ttl_days');
    }
  }, 60_000);

  it('stops serving an expired export at once (downloads and signed links 410), then the maintenance job deletes its files', async () => {
    const { jobId, keys: storageKeys } = await createCompleted();
    const link = await harness.deps.store.signedUrl(storageKeys[0] as string, 600);
    expect((await download(harness.app, null, new URL(link).pathname + new URL(link).search)).status).toBe(200);
    await harness.dataSource.query(`UPDATE export_jobs SET expires_at = now() - interval '1 second' WHERE id = $1`, [jobId]);

    const expired = await download(harness.app, keys.alice, `/api/v1/export/download/${jobId}/0`);
    expect(expired.status).toBe(410);
    expect(JSON.parse(expired.body.toString()).error.code).toBe('export_expired');
    expect((await download(harness.app, null, new URL(link).pathname + new URL(link).search)).status).toBe(410);
    expect(await statusOf(jobId)).toMatchObject({ files_available: false, deleted_at: null });

    await runMaintenance(harness, JobName.expireExports, { limit: 100 });
    for (const storageKey of storageKeys) expect(existsSync(onDisk(storageKey))).toBe(false);
    expect(await statusOf(jobId)).toMatchObject({ deletion_reason: 'expired', files_available: false });
  }, 60_000);

  it('finishes a deletion whose storage removal never happened (the deleting process died), on a later round', async () => {
    const { jobId, keys: storageKeys } = await createCompleted();
    // Marked deleted, files still there: what a crash between the two steps leaves.
    await harness.deps.jobs.markDeleted(jobId, 'user');
    await harness.dataSource.query(`UPDATE export_jobs SET deleted_at = now() - interval '1 hour' WHERE id = $1`, [jobId]);
    expect(existsSync(onDisk(storageKeys[0] as string))).toBe(true);
    await runMaintenance(harness, JobName.expireExports, { limit: 100 });
    for (const storageKey of storageKeys) expect(existsSync(onDisk(storageKey))).toBe(false);
    const [row] = (await harness.dataSource.query(`SELECT files_purged_at FROM export_jobs WHERE id = $1`, [jobId])) as Array<{ files_purged_at: Date | null }>;
    expect(row?.files_purged_at).not.toBeNull();
    // Deleting twice is a no-op that says so.
    expect(await deleteExport({ jobs: harness.deps.jobs, store: harness.deps.store }, { id: jobId, workspaceId: WORKSPACE }, 'user')).toBeNull();
  }, 60_000);
});

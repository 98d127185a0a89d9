import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { insertActivityRows, edgeCaseActivityRows } from '@export-service/testing';
import { DocumentedResponses } from './support/openapi';
import { startHarness, type Harness, type StatusBody } from './support/harness';

/**
 * Validation as a job: with VALIDATE_INLINE_MAX_MB at 0 every export is "too large" to validate
 * within the request, so POST /export/validate answers 202 and a worker process validates it;
 * GET /export/validate/{validation_id} follows it to its report.
 */

jest.setTimeout(180_000);

const WORKSPACE = 'ws_validate_job';
const PASSWORD = 'Correct-Horse-Battery-9';
let harness: Harness;
let documented: DocumentedResponses;
const keys = { member: '', other: '', admin: '', viewer: '' };
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

async function createCompleted(body: Record<string, unknown>): Promise<StatusBody> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set(auth(keys.member))
    .send({ name: 'validate me', format: 'csv', data_sources: [{ type: 'user_activity' }], ...body });
  expect(created.status).toBe(202);
  const status = await harness.waitForStatus(created.body.job_id as string, keys.member);
  expect(status.status).toBe('completed');
  return status;
}

async function validate(body: Record<string, unknown>) {
  const answer = await request(harness.app).post('/api/v1/export/validate').set(auth(keys.member)).send(body);
  documented.expectMatches('post', '/api/v1/export/validate', answer.status, answer.body);
  return answer;
}

async function validation(id: string, key = keys.member) {
  const answer = await request(harness.app).get(`/api/v1/export/validate/${id}`).set(auth(key));
  documented.expectMatches('get', '/api/v1/export/validate/{validation_id}', answer.status, answer.body);
  return answer;
}

/** Polls the validation until it has finished, with a deadline. */
async function finished(id: string): Promise<StatusBody> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await validation(id);
    expect(answer.status).toBe(200);
    if (answer.body.status === 'completed' || answer.body.status === 'failed') return answer.body as StatusBody;
    if (Date.now() > deadline) throw new Error(`validation ${id} still ${answer.body.status as string}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  harness = await startHarness('validatejob', { overrides: { VALIDATE_INLINE_MAX_MB: '0' } });
  keys.member = await harness.createKey(WORKSPACE, 'member');
  keys.other = await harness.createKey(WORKSPACE, 'member');
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.viewer = await harness.createKey(WORKSPACE, 'viewer');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  documented = new DocumentedResponses((await request(harness.app).get('/api/v1/openapi.json')).body);
}, 120_000);

afterAll(async () => {
  await harness.close();
});

it('answers 202 with a status URL, and the worker validates the export with its sealed password and sample rows', async () => {
  const status = await createCompleted({ compression: 'gzip', encryption: { enabled: true, password_protected: true, password: PASSWORD } });
  expect((await validate({ job_id: status.job_id, validation_type: 'full' })).status).toBe(401);
  const queued = await validate({ job_id: status.job_id, validation_type: 'full', sample_rows: 3, password: PASSWORD });
  expect(queued.status).toBe(202);
  expect(queued.body).toEqual({
    validation_id: expect.stringMatching(/^val_[0-9a-f]{32}$/),
    job_id: status.job_id,
    status: 'queued',
    status_url: `/api/v1/export/validate/${queued.body.validation_id as string}`,
  });
  // The password travels sealed to the validation row, never in clear, and is forgotten once done.
  const [row] = (await harness.dataSource.query(`SELECT sealed_password FROM export_validations WHERE id = $1`, [queued.body.validation_id])) as Array<{ sealed_password: string }>;
  expect(row?.sealed_password ?? '').not.toContain(PASSWORD);

  const report = await finished(queued.body.validation_id as string);
  expect(report).toMatchObject({
    validation_id: queued.body.validation_id,
    job_id: status.job_id,
    status: 'completed',
    validation_type: 'full',
    valid: true,
    checks: { checksum_valid: true, schema_valid: true, row_count_match: true, no_corruption: true },
    error: null,
  });
  expect((report.sample_data as Array<{ rows: unknown[] }>)[0]?.rows).toHaveLength(3);
  const [after] = (await harness.dataSource.query(`SELECT sealed_password FROM export_validations WHERE id = $1`, [queued.body.validation_id])) as Array<{
    sealed_password: string | null;
  }>;
  expect(after?.sealed_password).toBeNull();
  expect(harness.logLines.some((line) => line.includes(PASSWORD))).toBe(false);
});

it('reports a file altered in storage (a flipped byte), shows a validation to its requester and admins only, and never to viewers', async () => {
  const status = await createCompleted({});
  const [file] = await harness.deps.jobs.listFiles(status.job_id as string);
  const path = join(harness.env.config.storage.dir, file?.storageKey as string);
  const bytes = await readFile(path);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  await writeFile(path, bytes);
  const queued = await validate({ job_id: status.job_id, validation_type: 'checksum' });
  expect(queued.status).toBe(202);
  const report = await finished(queued.body.validation_id as string);
  expect(report).toMatchObject({ status: 'completed', valid: false, checks: { checksum_valid: false, schema_valid: null }, sample_data: null });
  expect((report.files as StatusBody[])[0]).toMatchObject({ checksum_valid: false, problems: [expect.stringMatching(/SHA-256 differs/)] });

  const id = queued.body.validation_id as string;
  expect((await validation(id, keys.admin)).status).toBe(200);
  expect((await validation(id, keys.other)).status).toBe(404);
  const viewer = await validation(id, keys.viewer);
  expect([viewer.status, viewer.body.error.code]).toEqual([403, 'read_only_role']);
  expect((await validation('val_nope')).status).toBe(404);
});

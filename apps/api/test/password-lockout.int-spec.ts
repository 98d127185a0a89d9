import request from 'supertest';
import { edgeCaseActivityRows, insertActivityRows } from '@export-service/testing';
import { download, startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_lockout';
const PASSWORD = 'Correct-Horse-Battery-42';
const UNICODE_PASSWORD = 'Pässwörd-Ünïcødé-✓-2024';
let harness: Harness;
let key: string;

beforeAll(async () => {
  harness = await startHarness('lockout');
  key = await harness.createKey(WORKSPACE, 'admin');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
});

afterAll(() => harness.close());

async function protectedExport(password: string): Promise<string> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'locked', format: 'csv', data_sources: [{ type: 'user_activity' }], encryption: { enabled: false, password_protected: true, password } });
  expect(created.status).toBe(202);
  const done = await harness.waitForStatus(created.body.job_id as string, key);
  expect(done.status).toBe('completed');
  return done.files[0].download_url as string;
}

/** The header bytes a client such as curl sends for a typed password: its UTF-8. */
const asHeader = (password: string) => Buffer.from(password, 'utf8').toString('latin1');

it('100 parallel wrong passwords: exactly 5 are checked (401), the other 95 are refused (429) without a check', async () => {
  const url = await protectedExport(PASSWORD);
  const answers = await Promise.all(
    Array.from({ length: 100 }, (_, index) => request(harness.app).get(url).set('Authorization', `Bearer ${key}`).set('X-Export-Password', `Wrong-Guess-${index}`)),
  );
  const counts = answers.reduce<Record<number, number>>((tally, answer) => ({ ...tally, [answer.status]: (tally[answer.status] ?? 0) + 1 }), {});
  expect(counts).toEqual({ 401: 5, 429: 95 });
  for (const answer of answers.filter((candidate) => candidate.status === 429)) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  // Locked now, even for the right password.
  const locked = await request(harness.app).get(url).set('Authorization', `Bearer ${key}`).set('X-Export-Password', PASSWORD);
  expect(locked.status).toBe(429);
  expect(locked.body.error.code).toBe('download_locked');
}, 120_000);

it('a password with accents and symbols, sent as UTF-8 as clients do, opens the download', async () => {
  const url = await protectedExport(UNICODE_PASSWORD);
  expect((await download(harness.app, key, url, { 'X-Export-Password': asHeader(UNICODE_PASSWORD) })).status).toBe(200);
  expect((await download(harness.app, key, url, { 'X-Export-Password': asHeader('Passwort-Ünïcødé-✓-2024') })).status).toBe(401);
}, 60_000);

import request from 'supertest';
import { activityRow, insertActivityRows, parseCsv } from '@export-service/testing';
import { download, startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_formula';
const RISKY = ['=1+2', '@SUM(A1)', '-3', '+cmd', '\tTAB', 'plain', 'a=b'];
let harness: Harness;
let key: string;

beforeAll(async () => {
  harness = await startHarness('formula');
  key = await harness.createKey(WORKSPACE, 'member');
  await insertActivityRows(
    harness.env.analyticsPool,
    RISKY.map((value, index) => activityRow({ workspace_id: WORKSPACE, resource_id: value, timestamp: `2024-03-0${index + 1}T00:00:00.000000Z` })),
  );
});

afterAll(() => harness.close());

async function exportCsv(options: Record<string, unknown>) {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'guard', format: 'csv', data_sources: [{ type: 'user_activity', fields: ['timestamp', 'resource_id', 'credits'] }], options });
  expect(created.status).toBe(202);
  const done = await harness.waitForStatus(created.body.job_id as string, key);
  expect(done.status).toBe('completed');
  const rows = await parseCsv((await download(harness.app, key, done.files[0].download_url as string)).body);
  return { notes: done.notes as string[], values: rows.map((row) => row.resource_id) };
}

it('puts a quote before text a spreadsheet would run as a formula, when asked', async () => {
  const { values, notes } = await exportCsv({ csv_formula_guard: true });
  expect(values).toEqual(["'=1+2", "'@SUM(A1)", "'-3", "'+cmd", "'\tTAB", 'plain', 'a=b']);
  expect(notes.some((note) => note.includes('formula'))).toBe(true);
});

it('leaves every value as stored by default', async () => {
  expect((await exportCsv({})).values).toEqual(RISKY);
});

import request from 'supertest';
import { seedAnalytics } from '@export-service/analytics';
import { startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_budget';
const PLANNER_NOTE = 'the row estimate comes from the query planner (the source is large)';
let harness: Harness;
let key: string;

beforeAll(async () => {
  harness = await startHarness('budget', { withWorker: false, overrides: { ESTIMATE_BUDGET_MS: '200', WORKSPACE_MAX_QUEUED_EXPORTS: '100' } });
  key = await harness.createKey(WORKSPACE, 'member');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 300_000 });
}, 120_000);

afterAll(() => harness.close());

const create = (sources: number) =>
  request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'budget', format: 'csv', data_sources: Array.from({ length: sources }, () => ({ type: 'user_activity' })) });

it('counts exactly while the budget lasts', async () => {
  const answer = await create(1);
  expect(answer.status).toBe(202);
  expect(answer.body.notes).not.toContain(PLANNER_NOTE);
  expect(answer.body.estimated_rows).toBe(297_000);
});

it('one budget for all sources: twenty counts of 300k rows overrun a 200 ms budget, and the planner estimates the rest', async () => {
  const started = Date.now();
  const answer = await create(20);
  const seconds = (Date.now() - started) / 1000;
  expect(answer.status).toBe(202);
  // With a budget per source, all twenty would have been counted exactly (each takes about 40 ms alone here).
  expect(answer.body.notes).toContain(PLANNER_NOTE);
  expect(answer.body.estimated_rows).toBeGreaterThan(20 * 200_000);
  expect(seconds).toBeLessThan(3);
});

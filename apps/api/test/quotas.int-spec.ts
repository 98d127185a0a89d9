import request from 'supertest';
import { edgeCaseActivityRows, insertActivityRows } from '@export-service/testing';
import { startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_quota';
let harness: Harness;
let key: string;

beforeAll(async () => {
  // No worker: created exports stay queued, so they all count against the quota.
  harness = await startHarness('quotas', { withWorker: false, overrides: { WORKSPACE_MAX_QUEUED_EXPORTS: '5', DATABASE_POOL_SIZE: '2' } });
  key = await harness.createKey(WORKSPACE, 'member');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
});

afterAll(() => harness.close());

const create = (body: Record<string, unknown> = {}) =>
  request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'quota', format: 'csv', data_sources: [{ type: 'user_activity' }], ...body });

it('the same create sent 20 times at once: exactly the quota is queued, the rest get 429 with Retry-After', async () => {
  const answers = await Promise.all(Array.from({ length: 20 }, () => create()));
  expect(answers.filter((answer) => answer.status === 202)).toHaveLength(5);
  const refused = answers.filter((answer) => answer.status === 429);
  expect(refused).toHaveLength(15);
  for (const answer of refused) {
    expect(answer.body.error.code).toBe('quota_exceeded');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  }
  const [count] = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM export_jobs WHERE workspace_id = $1`, [WORKSPACE])) as Array<{ n: number }>;
  expect(count!.n).toBe(5);
}, 60_000);

it('a create that cannot get an analytics connection answers 503 within seconds instead of queuing behind others', async () => {
  await harness.dataSource.query(`UPDATE export_jobs SET status = 'failed' WHERE workspace_id = $1`, [WORKSPACE]);
  const held = await Promise.all([harness.deps.analyticsPool.connect(), harness.deps.analyticsPool.connect()]);
  try {
    const started = Date.now();
    const answer = await create();
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('service_unavailable');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(6_000);
  } finally {
    for (const client of held) client.release();
  }
  expect((await create()).status).toBe(202);
}, 60_000);

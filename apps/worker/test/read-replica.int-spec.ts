import pg from 'pg';
import {
  createCsvExport,
  edgeCaseActivityRows,
  expectWholeCsvExport,
  insertActivityRows,
  startHarness,
  startPostgresReplicaPair,
  type Harness,
  type PostgresReplicaPair,
} from '@export-service/testing';
import request from 'supertest';

/**
 * ANALYTICS_DATABASE_URL pointing at a streaming hot standby: estimates and exports (their REPEATABLE
 * READ snapshots) run there, so they never load the primary, and nothing tries to write to it.
 */
const WORKSPACE = 'ws_replica';
let pair: PostgresReplicaPair;
let harness: Harness;
let key: string;

beforeAll(async () => {
  pair = await startPostgresReplicaPair();
  const primary = new pg.Client({ connectionString: pair.primaryUrl('postgres') });
  await primary.connect();
  await primary.query('CREATE DATABASE analytics');
  await primary.end();
  const pool = new pg.Pool({ connectionString: pair.primaryUrl('analytics'), max: 2 });
  await insertActivityRows(pool, edgeCaseActivityRows(WORKSPACE));
  await pool.end();
  await pair.waitForReplay();
  harness = await startHarness('replica', { api: 'process', worker: 'process', overrides: { ANALYTICS_DATABASE_URL: pair.standbyUrl('analytics') } });
  key = await harness.createKey(WORKSPACE, 'member');
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await pair?.stop();
});

it('estimates and exports from the read replica, byte-exact, in every format', async () => {
  const standby = new pg.Client({ connectionString: pair.standbyUrl('analytics') });
  await standby.connect();
  try {
    expect((await standby.query('SELECT pg_is_in_recovery() AS replica')).rows[0].replica).toBe(true);
    const ids = new Set<string>(
      (await standby.query('SELECT id::text FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL', [WORKSPACE])).rows.map((row) => row.id as string),
    );
    const jobId = await createCsvExport(harness, key, 'from the replica');
    const done = await harness.waitForStatus(jobId, key);
    expect(done.status).toBe('completed');
    await expectWholeCsvExport(harness, key, done, ids);
    expect(ids.size).toBeGreaterThan(5);
    for (const format of ['jsonl', 'parquet', 'excel']) {
      const created = await request(harness.app)
        .post('/api/v1/export/create')
        .set('Authorization', `Bearer ${key}`)
        .send({ name: format, format, data_sources: [{ type: 'user_activity' }] });
      expect(created.status).toBe(202);
      const status = await harness.waitForStatus(created.body.job_id as string, key);
      expect({ format, status: status.status, rows: status.files[0].rows }).toEqual({ format, status: 'completed', rows: ids.size });
    }
  } finally {
    await standby.end();
  }
});

import { activityRow, createTestEnvironment, insertActivityRows, queryWithDuckDb, type TestEnvironment } from '@export-service/testing';
import { activitySource, exportSpec, runToFiles } from './support/run-to-files';

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment('parquet-long');
});

afterAll(() => env.cleanup());

it('stages and encodes rows longer than DuckDB’s default 2 MiB line limit', async () => {
  const long = 'é'.repeat(1_600_000); // 3.2 MB of UTF-8 in one CSV line
  await insertActivityRows(env.analyticsPool, [activityRow({ workspace_id: 'ws_long', resource_id: long }), activityRow({ workspace_id: 'ws_long', resource_id: 'short' })]);
  const run = await runToFiles(env, 'ws_long', exportSpec({ format: 'parquet', compression: 'none', sources: [activitySource({ fields: ['resource_id'] })] }));
  const [file] = run.files;
  expect(file?.info.rows).toBe(2);
  const lengths = await queryWithDuckDb(file!.path, 'SELECT length(resource_id)::INTEGER AS n FROM read_parquet({path})');
  expect(lengths).toEqual([{ n: 1_600_000 }, { n: 5 }]);
});

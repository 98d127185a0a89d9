import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PgRowSource } from '@export-service/analytics';
import type { ExportSpec } from '@export-service/contracts';
import { runExport } from '@export-service/export-core';
import { compressors, createEncoders, LocalArtifactStore, openpgpEncryptor } from '@export-service/export-adapters';
import { createTestEnvironment, edgeCaseActivityRows, insertActivityRows, makeTempDir, parseCsv, runTool, type TestEnvironment } from '@export-service/testing';

const WORKSPACE = 'ws_lo';
let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment('libreoffice');
  await insertActivityRows(env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
});

afterAll(() => env.cleanup());

it('opens in LibreOffice (headless) with every value where it belongs', async () => {
  const spec: ExportSpec = {
    name: 'lo',
    sources: [{ type: 'user_activity', fields: ['id', 'action', 'resource_id', 'credits', 'success', 'timestamp'], filters: {}, aggregation: null }],
    format: 'excel',
    compression: 'none',
    split: { by: 'none', maxBytes: null },
    parquetCompression: 'snappy',
    delivery: { method: 'download' },
    encryption: { enabled: false, container: null, passwordProtected: false },
  };
  const store = new LocalArtifactStore(env.config.storage.dir, (key) => `signed:${key}`);
  const outcome = await runExport(
    spec,
    { rowSource: new PgRowSource(env.config.database.analyticsUrl), store, encoders: createEncoders(env.config.storage.workDir), compressors, encryptor: openpgpEncryptor },
    {
      jobId: 'job_lo',
      workspaceId: WORKSPACE,
      runId: 'run1',
      createdAt: new Date(),
      password: null,
      signal: new AbortController().signal,
      progress: { report: () => undefined, flush: async () => undefined },
      notes: [],
    },
  );
  const xlsx = join(env.config.storage.dir, outcome.files[0]!.storageKey);

  const out = await makeTempDir('lo-out');
  const profile = await makeTempDir('lo-profile');
  try {
    const converted = await runTool('soffice', [
      `-env:UserInstallation=file://${profile.path}`,
      '--headless',
      '--convert-to',
      'csv:Text - txt - csv (StarCalc):44,34,76,1',
      '--outdir',
      out.path,
      xlsx,
    ]);
    expect(converted.code).toBe(0);
    expect(converted.stderr).not.toMatch(/error|could not be loaded/i);
    const [csvName] = await readdir(out.path);
    const rows = await parseCsv(await readFile(join(out.path, csvName as string)));
    const { rows: truth } = await env.analyticsPool.query(
      `SELECT id::text, action, resource_id, credits::float8 AS credits, success FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY "timestamp", id`,
      [WORKSPACE],
    );
    expect(rows).toHaveLength(truth.length);
    rows.forEach((row, index) => {
      const expected = truth[index];
      expect(row.id).toBe(expected.id);
      expect(row.action).toBe(expected.action);
      expect(Number(row.credits)).toBeCloseTo(expected.credits as number, 4);
      expect(row.success).toBe(expected.success ? 'TRUE' : 'FALSE');
      expect(row.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const text = expected.resource_id as string | null;
      // Text Excel can hold comes back exactly (LibreOffice decodes _xHHHH_ escapes, so the bell row is compared too).
      if (text !== null && text.length <= 32_767) expect((row.resource_id ?? '').replace(/\r\n/g, '\n')).toBe(text.replace(/\r\n/g, '\n'));
    });
  } finally {
    await out.cleanup();
    await profile.cleanup();
  }
}, 120_000);

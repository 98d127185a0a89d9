import { existsSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import {
  activityRow,
  decompress,
  describeParquetWithDuckDb,
  edgeCaseActivityRows,
  insertActivityRows,
  inspectXlsx,
  makeTempDir,
  parseCsv,
  queryWithDuckDb,
  runToolOk,
  type ActivityRow,
} from '@export-service/testing';
import { DocumentedResponses } from './support/openapi';
import { download, startHarness, type Harness, type StatusBody } from './support/harness';

/**
 * After the export: conversions through every format read back by independent readers, metadata and
 * the download log, validation against files altered in storage, extend, cleanup, and bad input.
 */

jest.setTimeout(180_000);

const WORKSPACE = 'ws_after';
const EDGE = 'ws_after_edge';
const OTHER = 'ws_after_other';
const PASSWORD = 'Correct-Horse-Battery-9';
let harness: Harness;
/** Every answer checked below is also checked against the schemas the OpenAPI document publishes. */
let documented: DocumentedResponses;
let scratch: { path: string; cleanup: () => Promise<void> };
const keys = { admin: '', member: '', viewer: '', edge: '', other: '' };
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
const onDisk = (storageKey: string) => join(harness.env.config.storage.dir, storageKey);

/** The edge-case rows, but inside what Excel holds: instants to the millisecond and text under 32,767 characters. */
function excelSafeRows(workspaceId: string): ActivityRow[] {
  return edgeCaseActivityRows(workspaceId).map((row) => ({
    ...row,
    timestamp: row.timestamp.replace(/\.(\d{3})\d{3}Z$/, '.$1000Z'),
    resource_id: row.resource_id && row.resource_id.length > 30_000 ? 'y'.repeat(30_000) : row.resource_id,
  }));
}

async function createCompleted(body: Record<string, unknown>, key = keys.member): Promise<StatusBody> {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set(auth(key))
    .send({ name: 'after', data_sources: [{ type: 'user_activity' }], ...body });
  expect(created.status).toBe(202);
  const status = await harness.waitForStatus(created.body.job_id as string, key);
  expect(status.status).toBe('completed');
  return status;
}

async function convert(body: Record<string, unknown>, key = keys.member, headers: Record<string, string> = {}) {
  const answer = await request(harness.app).post('/api/v1/export/convert').set(auth(key)).set(headers).send(body);
  documented.expectMatches('post', '/api/v1/export/convert', answer.status, answer.body);
  return answer;
}

async function convertCompleted(body: Record<string, unknown>, key = keys.member, headers: Record<string, string> = {}): Promise<StatusBody> {
  const answer = await convert(body, key, headers);
  expect([answer.status, answer.body.error]).toEqual([202, undefined]);
  expect(answer.body).toMatchObject({ conversion_job_id: expect.stringMatching(/^job_/), status: 'queued' });
  const status = await harness.waitForStatus(answer.body.conversion_job_id as string, key);
  expect([status.status, status.error]).toEqual(['completed', null]);
  expect(status.lineage).toMatchObject({ origin: 'conversion', source_job_id: body.source_job_id });
  return status;
}

/** The first data file's bytes as downloaded, with the compression undone by the real tool. */
async function innerOf(status: StatusBody, key = keys.member, headers: Record<string, string> = {}): Promise<Buffer> {
  const file = (status.files as StatusBody[])[0] as StatusBody;
  const got = await download(harness.app, key, file.download_url as string, headers);
  expect(got.status).toBe(200);
  if (file.encrypted && file.compression === 'zip') return runToolOk('7z', ['x', '-so', `-p${PASSWORD}`, await scratchFile('enc.zip', got.body)]);
  if (file.encrypted) {
    const plain = await runToolOk('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', PASSWORD, '--decrypt', await scratchFile('x.gpg', got.body)]);
    return decompress(plain, file.compression as string, scratch.path);
  }
  return decompress(got.body, file.compression as string, scratch.path, (file.filename as string).replace(/\.zip$/, ''));
}

async function scratchFile(name: string, bytes: Buffer): Promise<string> {
  const path = join(scratch.path, `${Date.now()}-${Math.random().toString(36).slice(2)}-${name}`);
  await writeFile(path, bytes);
  return path;
}

/**
 * The metadata once the download log holds `count` downloads of the first file: each download is
 * logged after its last byte went, so a client can ask before the log row is written.
 */
async function metadataWithDownloads(jobId: string, count: number, key = keys.member): Promise<request.Response> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await request(harness.app).get(`/api/v1/export/metadata/${jobId}`).set(auth(key));
    if (answer.status !== 200 || (answer.body.metadata.files[0].downloads as unknown[]).length >= count) return answer;
    if (Date.now() > deadline) throw new Error(`the download log still holds ${answer.body.metadata.files[0].download_count} of ${count} downloads`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** CSV data rows (header and BOM stripped) as text lines: what PostgreSQL printed, byte for byte. */
function csvBody(inner: Buffer): string {
  return inner.toString('utf8').replace(/^\uFEFF/, '');
}

beforeAll(async () => {
  harness = await startHarness('afterexport');
  scratch = await makeTempDir('after-export');
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.member = await harness.createKey(WORKSPACE, 'member');
  keys.viewer = await harness.createKey(WORKSPACE, 'viewer');
  keys.edge = await harness.createKey(EDGE, 'member');
  keys.other = await harness.createKey(OTHER, 'admin');
  await insertActivityRows(harness.env.analyticsPool, [...excelSafeRows(WORKSPACE), ...edgeCaseActivityRows(EDGE), activityRow({ workspace_id: OTHER })]);
  documented = new DocumentedResponses((await request(harness.app).get('/api/v1/openapi.json')).body);
}, 180_000);

afterAll(async () => {
  await harness.close();
  await scratch.cleanup();
});

describe('POST /export/convert', () => {
  it('csv → parquet → json → excel → csv gives back exactly the original values and types', async () => {
    const original = await createCompleted({ format: 'csv', compression: 'gzip' });
    const originalCsv = csvBody(await innerOf(original));

    const parquet = await convertCompleted({ source_job_id: original.job_id, target_format: 'parquet', options: { parquet_compression: 'zstd' } });
    const parquetPath = await scratchFile('c.parquet', await innerOf(parquet));
    const types = Object.fromEntries((await describeParquetWithDuckDb(parquetPath)).map((column) => [column.name, column.type]));
    expect(types).toMatchObject({ id: 'BIGINT', credits: 'DECIMAL(14,4)', duration_ms: 'INTEGER', success: 'BOOLEAN', timestamp: 'TIMESTAMP WITH TIME ZONE', metadata: 'VARCHAR' });
    const truth = await harness.env.analyticsPool.query<Record<string, string>>(
      `SELECT id::text AS id, credits::text AS credits, resource_id, metadata::text AS metadata, (extract(epoch FROM "timestamp") * 1000000)::bigint::text AS us
         FROM user_activity WHERE workspace_id = $1 ORDER BY "timestamp", id`,
      [WORKSPACE],
    );
    const read = await queryWithDuckDb(
      parquetPath,
      `SELECT id::VARCHAR AS id, credits::VARCHAR AS credits, resource_id, metadata, epoch_us("timestamp")::VARCHAR AS us FROM read_parquet({path})`,
    );
    expect(read).toEqual(truth.rows);

    const json = await convertCompleted({ source_job_id: parquet.job_id, target_format: 'json', options: { json_pretty: true } });
    const jsonText = (await innerOf(json)).toString('utf8');
    expect(jsonText.startsWith('[\n  {\n    "id": ')).toBe(true);
    const direct = await createCompleted({ format: 'json' });
    // Pretty or not, the same JSON values: numbers with PostgreSQL's own digits.
    expect(JSON.parse(jsonText)).toEqual(JSON.parse((await innerOf(direct)).toString('utf8')));
    expect(jsonText).toContain('"credits": 9999999999.9999');

    const excel = await convertCompleted({ source_job_id: json.job_id, target_format: 'excel' });
    const sheets = await inspectXlsx(await scratchFile('c.xlsx', await innerOf(excel)));
    const directExcel = await inspectXlsx(await scratchFile('d.xlsx', await innerOf(await createCompleted({ format: 'excel' }))));
    expect(sheets).toEqual(directExcel);

    const back = await convertCompleted({ source_job_id: excel.job_id, target_format: 'csv', compression: 'bz2' });
    expect(csvBody(await innerOf(back))).toBe(originalCsv);
    const parsed = await parseCsv(await innerOf(back));
    expect(parsed.map((row) => row.resource_id)).toEqual(
      expect.arrayContaining(['', 'line one\nline two\r\nline three', 'naïve café — 東京 🚀 שלום', 'say "hello", then, goodbye']),
    );
  });

  it.each([
    ['jsonl', 'zip'],
    ['excel', 'gzip'],
    ['parquet', 'none'],
    ['json', 'bz2'],
  ])('reads a %s source compressed with %s back into CSV byte for byte', async (format, compression) => {
    const original = csvBody(await innerOf(await createCompleted({ format: 'csv' })));
    const source = await createCompleted({ format, compression });
    const back = await convertCompleted({ source_job_id: source.job_id, target_format: 'csv' });
    expect(csvBody(await innerOf(back))).toBe(original);
  });

  it('decrypts an encrypted source with the password and keeps the conversion encrypted with it', async () => {
    const original = csvBody(await innerOf(await createCompleted({ format: 'csv' })));
    const source = await createCompleted({ format: 'json', compression: 'gzip', encryption: { enabled: true, password_protected: true, password: PASSWORD } });
    expect((await convert({ source_job_id: source.job_id, target_format: 'csv' })).status).toBe(401);
    const converted = await convertCompleted({ source_job_id: source.job_id, target_format: 'csv', compression: 'zip' }, keys.member, { 'X-Export-Password': PASSWORD });
    expect(converted).toMatchObject({ password_protected: true, encryption: { enabled: true, container: 'zip-aes' } });
    expect(csvBody(await innerOf(converted, keys.member, { 'X-Export-Password': PASSWORD }))).toBe(original);
    const plain = await convertCompleted({ source_job_id: source.job_id, target_format: 'csv', encryption: { enabled: false }, password: PASSWORD });
    expect(csvBody(await innerOf(plain))).toBe(original);
    // The password never reached Redis or a log line in clear.
    expect(harness.logLines.some((line) => line.includes(PASSWORD))).toBe(false);
  });

  it('puts every source in one workbook with excel_sheets', async () => {
    const source = await createCompleted({ format: 'csv', data_sources: [{ type: 'user_activity', fields: ['id', 'action'] }, { type: 'agent_performance' }] });
    const workbook = await convertCompleted({ source_job_id: source.job_id, target_format: 'excel', options: { excel_sheets: true } });
    expect((workbook.files as StatusBody[]).map((file) => file.filename)).toEqual(['workbook.xlsx', 'manifest.json']);
    const sheets = await inspectXlsx(await scratchFile('w.xlsx', await innerOf(workbook)));
    expect(sheets.map((sheet) => [sheet.name, sheet.rows.length])).toEqual([
      ['user_activity', 13],
      ['agent_performance', 1],
    ]);
  });

  it('refuses up front (422) values the target cannot hold, naming them, and converts them where they fit', async () => {
    const source = await createCompleted({ format: 'csv' }, keys.edge);
    const refused = await convert({ source_job_id: source.job_id, target_format: 'excel' }, keys.edge);
    expect(refused.status).toBe(422);
    const problems = (refused.body.error.details as Array<{ field: string; problem: string }>).map((detail) => detail.problem).join('\n');
    expect(problems).toMatch(/user_activity\.resource_id: it holds a text of 50,000 characters/);
    expect(problems).toMatch(/user_activity\.timestamp: it holds 2024-01-31T23:59:59\.999999Z, finer than the millisecond/);
    await convertCompleted({ source_job_id: source.job_id, target_format: 'parquet' }, keys.edge);
  });

  it('answers 4xx naming the problem for bad sources and bad input', async () => {
    const queued = await request(harness.app)
      .post('/api/v1/export/create')
      .set(auth(keys.member))
      .send({ name: 'q', format: 'csv', data_sources: [{ type: 'user_activity' }] });
    const running = await convert({ source_job_id: queued.body.job_id, target_format: 'json' });
    // It may complete first on a fast machine; while it is queued or running it is refused.
    if (running.status !== 202) expect([running.status, running.body.error.code, running.body.error.details[0].field]).toEqual([409, 'export_running', 'source_job_id']);
    const done = await createCompleted({ format: 'csv' });
    await harness.dataSource.query(`UPDATE export_jobs SET status = 'failed' WHERE id = $1`, [done.job_id]);
    expect((await convert({ source_job_id: done.job_id, target_format: 'json' })).body.error).toMatchObject({
      code: 'export_not_completed',
      details: [{ field: 'source_job_id' }],
    });
    const deleted = await createCompleted({ format: 'csv' });
    await request(harness.app).delete(`/api/v1/export/${deleted.job_id}`).set(auth(keys.member));
    expect((await convert({ source_job_id: deleted.job_id, target_format: 'json' })).body.error).toMatchObject({ code: 'export_deleted', details: [{ field: 'source_job_id' }] });
    expect((await convert({ source_job_id: deleted.job_id, target_format: 'json' }, keys.other)).status).toBe(404);
    const bad = await convert({ source_job_id: 'job_nope', target_format: 'xml', options: { excel_sheets: 'yes' } });
    expect(bad.status).toBe(422);
    expect((bad.body.error.details as Array<{ field: string }>).map((detail) => detail.field).sort()).toEqual(['options.excel_sheets', 'source_job_id', 'target_format']);
  });
});

describe('metadata and the download log', () => {
  it('shows schema, statistics with the date range in the rows, lineage, and every download of every file', async () => {
    const status = await createCompleted({ format: 'csv', data_sources: [{ type: 'user_activity', filters: { actions: ['search', 'click'] } }] });
    const url = (status.files as StatusBody[])[0]?.download_url as string;
    await download(harness.app, keys.member, url);
    await download(harness.app, keys.member, url, { Range: 'bytes=0-9' });
    const answer = await metadataWithDownloads(status.job_id as string, 2);
    expect(answer.status).toBe(200);
    documented.expectMatches('get', '/api/v1/export/metadata/{job_id}', 200, answer.body);
    const { metadata } = answer.body;
    expect(metadata.schema.tables[0]).toMatchObject({ name: 'user_activity', row_count: 5 });
    expect(metadata.schema.tables[0].columns[1]).toEqual({ name: 'user_id', type: 'UUID', logical_type: 'uuid', nullable: false });
    expect(metadata.schema.tables[0].columns[6]).toMatchObject({ name: 'credits', type: 'DECIMAL(14,4)' });
    expect(metadata.statistics).toMatchObject({ total_rows: 5, total_columns: 11, date_range: { start: '2024-01-31T23:59:59.999000Z', end: '2024-12-31T23:59:59.999000Z' } });
    expect(metadata.lineage).toMatchObject({
      origin: 'api',
      source_database: expect.stringMatching(/_data$/),
      filters_applied: expect.arrayContaining([`workspace_id = '${WORKSPACE}'`, "action IN ('search', 'click')"]),
    });
    expect(metadata.files[0].downloads).toEqual([
      expect.objectContaining({ via: 'api', range: null, bytes_sent: (status.files as StatusBody[])[0]?.bytes, complete: true }),
      expect.objectContaining({ via: 'api', range: 'bytes=0-9', bytes_sent: 10, complete: true }),
    ]);
    expect(metadata.schema.tables[0].value_profile).toMatchObject({
      rows: 5,
      time_range: { column: 'timestamp', start: '2024-01-31T23:59:59.999000Z', end: '2024-12-31T23:59:59.999000Z' },
      json_lengths_measured: false,
    });
    expect(metadata.schema.tables[0].value_profile.columns).toContainEqual(
      expect.objectContaining({ name: 'resource_id', nulls: expect.any(Number), max_chars: expect.any(Number) }),
    );
    // The API's own spelling throughout: no camelCase key leaks from the recorded profile.
    expect(JSON.stringify(answer.body)).not.toMatch(/"[a-z]+[A-Z][A-Za-z]*":/);
    const foreign = await request(harness.app).get(`/api/v1/export/metadata/${status.job_id}`).set(auth(keys.other));
    expect(foreign.status).toBe(404);
    documented.expectMatches('get', '/api/v1/export/metadata/{job_id}', 404, foreign.body);
    // A viewer reads the export's status, not its filter values, row values and download log.
    expect((await request(harness.app).get(`/api/v1/export/status/${status.job_id}`).set(auth(keys.viewer))).status).toBe(200);
    const viewer = await request(harness.app).get(`/api/v1/export/metadata/${status.job_id}`).set(auth(keys.viewer));
    expect([viewer.status, viewer.body.error.code]).toEqual([403, 'read_only_role']);
    documented.expectMatches('get', '/api/v1/export/metadata/{job_id}', 403, viewer.body);
  });
});

describe('the download log', () => {
  const downloadsOf = async (jobId: string, count: number) => (await metadataWithDownloads(jobId, count)).body.metadata.files[0].downloads as StatusBody[];

  it('logs a whole download as complete even when the client hangs up the moment it has every byte', async () => {
    const status = await createCompleted({ format: 'csv' });
    const file = (status.files as StatusBody[])[0] as StatusBody;
    // supertest closes the connection as soon as Content-Length bytes arrived, which often beat the response's own 'finish'.
    for (let round = 0; round < 40; round += 1) expect((await download(harness.app, keys.member, file.download_url as string)).status).toBe(200);
    const logged = await downloadsOf(status.job_id as string, 40);
    expect(logged).toHaveLength(40);
    expect(logged.filter((entry) => entry.complete !== true || entry.bytes_sent !== file.bytes)).toEqual([]);
  });

  it('logs a download the client broke off as incomplete, with the bytes that went', async () => {
    const status = await createCompleted({ format: 'csv' });
    // A file larger than the loopback socket buffers, so breaking off really leaves bytes unsent.
    const [stored] = await harness.deps.jobs.listFiles(status.job_id as string);
    const size = 64 * 1024 * 1024;
    await writeFile(onDisk(stored?.storageKey as string), Buffer.alloc(size, 0x61));
    const server = harness.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${(status.files as StatusBody[])[0]?.download_url as string}`;
      await new Promise<void>((resolve, reject) => {
        const req = get(url, { headers: auth(keys.member) }, (res) => {
          expect(res.headers['content-length']).toBe(String(size));
          res.once('data', () => (req.destroy(), resolve()));
        });
        req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      });
      const logged = await downloadsOf(status.job_id as string, 1);
      expect(logged).toEqual([expect.objectContaining({ via: 'api', range: null, complete: false })]);
      expect(logged[0]?.bytes_sent).toBeLessThan(size);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('POST /export/validate', () => {
  const validate = async (body: Record<string, unknown>, key = keys.member) => {
    const answer = await request(harness.app).post('/api/v1/export/validate').set(auth(key)).send(body);
    documented.expectMatches('post', '/api/v1/export/validate', answer.status, answer.body);
    return answer;
  };

  it.each(['csv', 'json', 'excel', 'parquet'])('finds a %s export valid, then reports a flipped byte, a truncated file and a removed one', async (format) => {
    const status = await createCompleted({ format, compression: format === 'csv' ? 'gzip' : 'none' });
    const files = await harness.deps.jobs.listFiles(status.job_id as string);
    const good = await validate({ job_id: status.job_id, validation_type: 'full', sample_rows: 2 });
    expect([good.status, good.body.valid, good.body.checks]).toEqual([200, true, { checksum_valid: true, schema_valid: true, row_count_match: true, no_corruption: true }]);
    expect(good.body.sample_data[0].rows).toHaveLength(2);
    expect(good.body.sample_data[0].rows[0]).toMatchObject({ action: 'login', resource_id: null, credits: 1.5 });

    const path = onDisk((files[0] as { storageKey: string }).storageKey);
    const bytes = await readFile(path);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await writeFile(path, bytes);
    const flipped = await validate({ job_id: status.job_id, validation_type: 'checksum' });
    expect([flipped.body.valid, flipped.body.checks.checksum_valid, flipped.body.files[0].problems]).toEqual([false, false, [expect.stringMatching(/SHA-256 differs/)]]);

    await truncate(path, Math.floor(bytes.length / 3));
    const truncated = await validate({ job_id: status.job_id, validation_type: 'full' });
    expect(truncated.status).toBe(200);
    expect(truncated.body.files[0]).toMatchObject({ checksum_valid: false, no_corruption: false });
    expect(truncated.body.files[1]).toMatchObject({ filename: 'manifest.json', checksum_valid: true });

    await unlink(path);
    const removed = await validate({ job_id: status.job_id, validation_type: 'schema' });
    expect(removed.body.files[0]).toMatchObject({ exists: false, checksum_valid: false, schema_valid: false, problems: ['missing from storage'] });
    expect(removed.body.valid).toBe(false);
  });

  it('reports a file whose rows no longer parse as corruption even when it decompresses', async () => {
    const status = await createCompleted({ format: 'csv' });
    const [file] = await harness.deps.jobs.listFiles(status.job_id as string);
    const path = onDisk(file?.storageKey as string);
    await writeFile(path, (await readFile(path, 'utf8')).replace(',1.5000,', ',one and a half,'));
    const report = (await validate({ job_id: status.job_id, validation_type: 'full' })).body;
    expect(report.files[0]).toMatchObject({
      no_corruption: false,
      problems: expect.arrayContaining([expect.stringMatching(/column credits: invalid input syntax for type numeric/)]),
    });
  });

  it('validates an encrypted export with its password, and refuses a running export and an unknown type', async () => {
    const status = await createCompleted({ format: 'csv', compression: 'bz2', encryption: { enabled: true, password_protected: true, password: PASSWORD } });
    expect((await validate({ job_id: status.job_id, validation_type: 'full' })).status).toBe(401);
    const report = await validate({ job_id: status.job_id, validation_type: 'full', password: PASSWORD });
    expect([report.status, report.body.valid]).toEqual([200, true]);
    expect((await validate({ job_id: status.job_id, validation_type: 'checksum' })).body.valid).toBe(true);
    const unknown = await validate({ job_id: status.job_id, validation_type: 'deep' });
    expect([unknown.status, unknown.body.error.details[0].field]).toEqual([422, 'validation_type']);
    const queued = await request(harness.app)
      .post('/api/v1/export/create')
      .set(auth(keys.member))
      .send({ name: 'q', format: 'csv', data_sources: [{ type: 'user_activity' }] });
    const early = await validate({ job_id: queued.body.job_id, validation_type: 'checksum' });
    if (early.status !== 200) expect([early.status, early.body.error.code]).toEqual([409, 'export_running']);
    await harness.waitForStatus(queued.body.job_id as string, keys.member);
  });
});

describe('extend and cleanup', () => {
  it('moves expires_at, refuses past the maximum and for deleted exports', async () => {
    const status = await createCompleted({ format: 'csv', ttl_days: 2 });
    const extended = await request(harness.app).post(`/api/v1/export/${status.job_id}/extend`).set(auth(keys.member)).send({ days: 5 });
    expect(extended.status).toBe(200);
    documented.expectMatches('post', '/api/v1/export/{job_id}/extend', 200, extended.body);
    expect(Date.parse(extended.body.expires_at) - Date.parse(status.expires_at as string)).toBe(5 * 86_400_000);
    const tooFar = await request(harness.app).post(`/api/v1/export/${status.job_id}/extend`).set(auth(keys.member)).send({ days: 3_650 });
    expect([tooFar.status, tooFar.body.error.details[0].field]).toEqual([422, 'days']);
    documented.expectMatches('post', '/api/v1/export/{job_id}/extend', 422, tooFar.body);
    const byViewer = await request(harness.app).post(`/api/v1/export/${status.job_id}/extend`).set(auth(keys.viewer)).send({ days: 1 });
    expect([byViewer.status, byViewer.body.error.code]).toEqual([403, 'read_only_role']);
    for (const days of [0, -3, 'x']) expect((await request(harness.app).post(`/api/v1/export/${status.job_id}/extend`).set(auth(keys.member)).send({ days })).status).toBe(422);
    await request(harness.app).delete(`/api/v1/export/${status.job_id}`).set(auth(keys.member));
    const gone = await request(harness.app).post(`/api/v1/export/${status.job_id}/extend`).set(auth(keys.member)).send({ days: 1 });
    expect(gone.status).toBe(410);
    documented.expectMatches('post', '/api/v1/export/{job_id}/extend', 410, gone.body);
  });

  it("deletes the workspace's old exports, keeps scheduled ones and other workspaces', and a dry run changes nothing", async () => {
    const old = await createCompleted({ format: 'csv' });
    const scheduled = await createCompleted({ format: 'csv' });
    const foreign = await createCompleted({ format: 'csv' }, keys.other);
    const recent = await createCompleted({ format: 'csv' });
    await harness.dataSource.query(`UPDATE export_jobs SET created_at = now() - interval '100 days' WHERE id = ANY($1)`, [[old.job_id, scheduled.job_id, foreign.job_id]]);
    await harness.dataSource.query(`UPDATE export_jobs SET schedule_id = 'sched_1' WHERE id = $1`, [scheduled.job_id]);
    const keysOf = async (jobId: string) => (await harness.deps.jobs.listFiles(jobId)).map((file) => onDisk(file.storageKey));
    const all = {
      old: await keysOf(old.job_id as string),
      scheduled: await keysOf(scheduled.job_id as string),
      foreign: await keysOf(foreign.job_id as string),
      recent: await keysOf(recent.job_id as string),
    };
    const cleanup = async (body: Record<string, unknown>, key = keys.admin) => {
      const answer = await request(harness.app).post('/api/v1/export/cleanup').set(auth(key)).send(body);
      documented.expectMatches('post', '/api/v1/export/cleanup', answer.status, answer.body);
      return answer;
    };

    expect((await cleanup({ older_than_days: 90 }, keys.member)).status).toBe(403);
    expect((await cleanup({ older_than_days: 90, dry_run: true }, keys.viewer)).body.error.code).toBe('read_only_role');
    expect((await cleanup({ older_than_days: -1 })).body.error.details[0]).toMatchObject({ field: 'older_than_days' });
    const dry = await cleanup({ older_than_days: 90, keep_scheduled: true, dry_run: true });
    const bytes = (old.files as StatusBody[]).reduce((sum, file) => sum + (file.bytes as number), 0);
    expect(dry.body).toMatchObject({ exports_deleted: 1, dry_run: true, kept_scheduled: 1, space_freed_gb: Math.round((bytes / 1e9) * 1e6) / 1e6 });
    expect(dry.body.exports.map((entry: StatusBody) => entry.job_id)).toEqual([old.job_id]);
    for (const path of Object.values(all).flat()) expect(existsSync(path)).toBe(true);

    const real = await cleanup({ older_than_days: 90, keep_scheduled: true, dry_run: false });
    expect(real.body).toMatchObject({ exports_deleted: 1, dry_run: false, files_removed: 2 });
    for (const path of all.old) expect(existsSync(path)).toBe(false);
    for (const path of [...all.scheduled, ...all.foreign, ...all.recent]) expect(existsSync(path)).toBe(true);
    expect((await request(harness.app).get(`/api/v1/export/status/${old.job_id}`).set(auth(keys.member))).body).toMatchObject({ deletion_reason: 'cleanup' });

    const withScheduled = await cleanup({ older_than_days: 90, keep_scheduled: false });
    expect(withScheduled.body.exports_deleted).toBe(1);
    for (const path of all.scheduled) expect(existsSync(path)).toBe(false);
    for (const path of [...all.foreign, ...all.recent]) expect(existsSync(path)).toBe(true);
  });
});

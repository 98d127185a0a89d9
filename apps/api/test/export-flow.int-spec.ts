import { createHash } from 'node:crypto';
import request from 'supertest';
import { decompress, edgeCaseActivityRows, insertActivityRows, makeTempDir, parseCsv, parseJsonLines, type ActivityRow } from '@export-service/testing';
import { download, startHarness, type Harness, type StatusBody } from './support/harness';
import { DocumentedResponses } from './support/openapi';

const WORKSPACE = 'ws_flow';
let harness: Harness;
let key: string;
let dir: { path: string; cleanup: () => Promise<void> };
let rows: ActivityRow[];
/** Every answer below is checked against the schemas the OpenAPI document publishes. */
let documented: DocumentedResponses;

/** The database's own rendering of the rows, the truth the files are compared with. */
async function expectedRows(): Promise<Array<Record<string, string | null>>> {
  const { rows: found } = await harness.env.analyticsPool.query(
    `SELECT user_id::text, action, resource_id, credits::text, duration_ms::text, success::text, metadata::text,
            to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "timestamp"
       FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY "timestamp", id`,
    [WORKSPACE],
  );
  return found as Array<Record<string, string | null>>;
}

beforeAll(async () => {
  harness = await startHarness('flow');
  documented = new DocumentedResponses((await request(harness.app).get('/api/v1/openapi.json')).body);
  key = await harness.createKey(WORKSPACE, 'member');
  dir = await makeTempDir('flow');
  rows = [
    ...edgeCaseActivityRows(WORKSPACE),
    ...edgeCaseActivityRows('ws_someone_else'),
    { ...edgeCaseActivityRows(WORKSPACE)[0]!, deleted_at: '2024-05-01T00:00:00Z', action: 'deleted_row' },
  ];
  await insertActivityRows(harness.env.analyticsPool, rows);
});

afterAll(async () => {
  await harness.close();
  await dir.cleanup();
});

async function runExport(format: string, compression: string) {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({
      name: `flow ${format} ${compression}`,
      format,
      compression,
      data_sources: [{ type: 'user_activity', fields: ['user_id', 'action', 'resource_id', 'credits', 'duration_ms', 'success', 'metadata', 'timestamp'] }],
    });
  expect(created.status).toBe(202);
  documented.expectMatches('post', '/api/v1/export/create', 202, created.body);
  expect(created.body).toMatchObject({ status: 'queued', estimated_rows: 12, tracking_url: `/api/v1/export/status/${created.body.job_id}` });
  const status = await harness.waitForStatus(created.body.job_id as string, key, (body) => {
    documented.expectMatches('get', '/api/v1/export/status/{job_id}', 200, body);
    return ['completed', 'failed'].includes(body.status as string);
  });
  expect(status.status).toBe('completed');
  return status;
}

describe.each([
  ['csv', 'none'],
  ['csv', 'gzip'],
  ['json', 'none'],
  ['json', 'gzip'],
  ['jsonl', 'none'],
  ['jsonl', 'gzip'],
])('%s with %s', (format, compression) => {
  it('downloads files that hold exactly the rows of the database, with a matching checksum', async () => {
    const status = await runExport(format, compression);
    expect(status.progress).toMatchObject({ percentage: 100, rows_processed: 12, total_rows: 12 });
    const [file, manifest] = status.files as StatusBody[];
    expect(file!.filename).toBe(`user_activity.${format}${compression === 'gzip' ? '.gz' : ''}`);
    expect(manifest!.filename).toBe('manifest.json');
    expect(file!.rows).toBe(12);

    const response = await download(harness.app, key, file!.download_url as string);
    expect(response.status).toBe(200);
    expect(response.headers['x-checksum']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${file!.filename}"`);
    expect(response.headers['content-length']).toBe(String(response.body.length));
    const checksum = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
    expect(response.headers['x-checksum']).toBe(checksum);
    expect(file!.checksum).toBe(checksum);

    const plain = await decompress(response.body, compression, dir.path);
    const expected = await expectedRows();
    const parsed: Array<Record<string, unknown>> =
      format === 'csv'
        ? await parseCsv(plain)
        : format === 'json'
          ? (JSON.parse(plain.toString('utf8')) as Array<Record<string, unknown>>)
          : (parseJsonLines(plain) as Array<Record<string, unknown>>);
    expect(parsed).toHaveLength(expected.length);
    parsed.forEach((row, index) => {
      const truth = expected[index]!;
      if (format === 'csv') {
        // CSV has no NULL: an empty field stands for it, and the text is exactly PostgreSQL's.
        for (const [column, value] of Object.entries(truth)) expect(row[column]).toBe(value ?? '');
      } else {
        expect(row.user_id).toBe(truth.user_id);
        expect(row.action).toBe(truth.action);
        expect(row.resource_id).toBe(truth.resource_id);
        expect(row.credits).toBe(Number(truth.credits));
        expect(row.duration_ms).toBe(truth.duration_ms === null ? null : Number(truth.duration_ms));
        expect(row.success).toBe(truth.success === 'true');
        expect(row.metadata).toEqual(truth.metadata === null ? null : JSON.parse(truth.metadata));
        expect(row.timestamp).toBe(truth.timestamp);
      }
    });
  });
});

it('resumes a broken download with Range and If-Range', async () => {
  const status = await runExport('csv', 'gzip');
  const url = status.files[0].download_url as string;
  const whole = await download(harness.app, key, url);
  const cut = Math.floor(whole.body.length / 3);
  const head = await download(harness.app, key, url, { Range: `bytes=0-${cut - 1}` });
  expect(head.status).toBe(206);
  expect(head.headers['content-range']).toBe(`bytes 0-${cut - 1}/${whole.body.length}`);
  const tail = await download(harness.app, key, url, { Range: `bytes=${cut}-`, 'If-Range': whole.headers.etag as string });
  expect(tail.status).toBe(206);
  expect(Buffer.concat([head.body, tail.body]).equals(whole.body)).toBe(true);
  const stale = await download(harness.app, key, url, { Range: `bytes=${cut}-`, 'If-Range': '"stale"' });
  expect(stale.status).toBe(200);
  const outside = await request(harness.app)
    .get(url)
    .set({ Authorization: `Bearer ${key}`, Range: `bytes=${whole.body.length + 10}-` });
  expect(outside.status).toBe(416);
  documented.expectMatches('get', '/api/v1/export/download/{job_id}/{file_index}', 416, outside.body);
});

it('writes a manifest that lists every file with rows, bytes, checksum and schema', async () => {
  const status = await runExport('jsonl', 'gzip');
  const manifestFile = status.files[1];
  const manifest = JSON.parse((await download(harness.app, key, manifestFile.download_url as string)).body.toString('utf8'));
  expect(manifest.totals).toEqual({ files: 1, rows: 12, bytes: status.files[0].bytes });
  expect(manifest.files[0]).toMatchObject({ filename: 'user_activity.jsonl.gz', rows: 12, sha256: status.files[0].checksum.slice(7), format: 'jsonl', compression: 'gzip' });
  expect(manifest.sources[0].filters_applied).toEqual([`workspace_id = '${WORKSPACE}'`, 'deleted_at IS NULL']);
  expect(manifest.sources[0].columns.map((column: { name: string }) => column.name)).toEqual([
    'user_id',
    'action',
    'resource_id',
    'credits',
    'duration_ms',
    'success',
    'metadata',
    'timestamp',
  ]);
});

it('applies every kind of filter (list, boolean, date range) exactly as SQL would', async () => {
  const users = rows
    .filter((row) => row.workspace_id === WORKSPACE)
    .map((row) => row.user_id)
    .slice(0, 8);
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({
      name: 'filtered',
      format: 'jsonl',
      data_sources: [
        {
          type: 'user_activity',
          fields: ['user_id', 'action', 'timestamp'],
          filters: {
            workspace_id: WORKSPACE,
            user_ids: users,
            actions: ['search', 'click', 'upload', 'login'],
            success: true,
            date_range: { start: '2024-01-01', end: '2024-12-30' },
          },
        },
      ],
    });
  expect(created.status).toBe(202);
  const status = await harness.waitForStatus(created.body.job_id as string, key);
  expect(status.status).toBe('completed');
  const { rows: truth } = await harness.env.analyticsPool.query(
    `SELECT user_id::text, action FROM user_activity
      WHERE workspace_id = $1 AND deleted_at IS NULL AND user_id = ANY($2::uuid[]) AND action = ANY($3::text[]) AND success
        AND "timestamp" >= '2024-01-01T00:00:00Z' AND "timestamp" < '2024-12-31T00:00:00Z' ORDER BY "timestamp", id`,
    [WORKSPACE, users, ['search', 'click', 'upload', 'login']],
  );
  expect(truth.length).toBeGreaterThan(2);
  const file = await download(harness.app, key, status.files[0].download_url as string);
  const parsed = parseJsonLines(file.body) as Array<{ user_id: string; action: string }>;
  expect(parsed.map((row) => ({ user_id: row.user_id, action: row.action }))).toEqual(truth);
});

it('answers bad input and unknown jobs with the documented error body', async () => {
  const bad = await request(harness.app).post('/api/v1/export/create').set('Authorization', `Bearer ${key}`).send({ name: 'bad', format: 'pdf', data_sources: [] });
  expect(bad.status).toBe(422);
  documented.expectMatches('post', '/api/v1/export/create', 422, bad.body);
  expect(bad.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'format' })]));
  const unknown = await request(harness.app)
    .get(`/api/v1/export/status/job_${'f'.repeat(32)}`)
    .set('Authorization', `Bearer ${key}`);
  expect(unknown.status).toBe(404);
  documented.expectMatches('get', '/api/v1/export/status/{job_id}', 404, unknown.body);
});

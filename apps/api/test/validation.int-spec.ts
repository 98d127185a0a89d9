import request from 'supertest';
import { edgeCaseActivityRows, insertActivityRows } from '@export-service/testing';
import { startHarness, type Harness } from './support/harness';

/**
 * Malformed requests: every one answers a 4xx with `{error: {code, message, details}}`, and names
 * the field at fault (in `details[].field`, or in the message) whenever one is.
 * No export has to run here, so the harness has no worker.
 */

const WORKSPACE = 'ws_validation';
let harness: Harness;
let admin: string;
let queuedJobId: string;

type Body = Record<string, unknown>;

/** A request the API accepts; each case below breaks exactly one thing in it. */
const BASE: Body = { name: 'validation', format: 'csv', data_sources: [{ type: 'user_activity' }] };
const withBase = (patch: Body): Body => ({ ...BASE, ...patch });
const withSource = (source: Body): Body => withBase({ data_sources: [{ type: 'user_activity', ...source }] });
const withFilters = (filters: Body, type = 'user_activity'): Body => withBase({ data_sources: [{ type, filters }] });
const withRange = (start: unknown, end: unknown): Body => withFilters({ date_range: { start, end } });
const withSplit = (split: Body): Body => withBase({ split_files: { enabled: true, ...split } });
const withEncryption = (encryption: Body): Body => withBase({ encryption });
const without = (key: string): Body => Object.fromEntries(Object.entries(BASE).filter(([name]) => name !== key));

interface Expected {
  /** The status, or the statuses that fit equally well. */
  status: number | number[];
  /** The error code; any non-empty code when the contract does not pin one. */
  code?: string;
  /** The field the answer must name, in details[].field or in the message. */
  field?: string;
}

/** Checks the error contract: status, JSON content type, exact `{error: {code, message, details}}` shape, the field named. */
function expectError(response: request.Response, expected: Expected): void {
  const error = response.body?.error as { code?: unknown; message?: unknown; details?: Array<{ field: string }> } | undefined;
  const statuses = Array.isArray(expected.status) ? expected.status : [expected.status];
  const wanted = statuses.length === 1 ? statuses[0] : statuses;
  expect({ status: statuses.includes(response.status) ? wanted : response.status, code: error?.code }).toEqual({ status: wanted, code: expected.code ?? expect.any(String) });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) } });
  expect((error!.code as string).length).toBeGreaterThan(0);
  expect((error!.message as string).length).toBeGreaterThan(0);
  if (expected.field) {
    const named = (error!.details ?? []).map((detail) => detail.field);
    if ((error!.message as string).includes(expected.field)) named.push(expected.field);
    expect(named).toContain(expected.field);
  }
}

const post = (body: unknown, key = admin) =>
  request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send(body as object);
const invalid = (field: string) => ({ status: 422, code: 'validation_failed', field });

beforeAll(async () => {
  harness = await startHarness('validation', { withWorker: false });
  admin = await harness.createKey(WORKSPACE, 'admin');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  const created = await post(BASE);
  expect(created.status).toBe(202);
  queuedJobId = created.body.job_id as string;
});

afterAll(async () => {
  await harness.close();
});

describe('the requests the cases are derived from are valid', () => {
  it.each<[string, Body]>([
    ['the base request', BASE],
    [
      'a full request',
      withBase({
        compression: 'gzip',
        data_sources: [
          {
            type: 'user_activity',
            fields: ['user_id', 'action', 'timestamp', 'credits'],
            filters: { date_range: { start: '2024-01-01', end: '2024-03-31T00:00:00+02:00' }, workspace_id: WORKSPACE, actions: ['login'], success: true },
          },
          { type: 'agent_performance', aggregation: 'daily', filters: { agent_ids: ['agent_123'] } },
        ],
        split_files: { enabled: true, max_size_mb: 100, split_by: 'month' },
        delivery: { method: 'download' },
        encryption: { enabled: true, method: 'AES256', password_protected: true, password: 'Correct-Horse-9-Battery' },
      }),
    ],
    ['a relative date range (previous month)', withFilters({ date_range: { relative: 'previous_month' } })],
    ['the last 7 days', withFilters({ date_range: { relative: 'last_n_days', days: 7 } })],
  ])('%s answers 202', async (_title, body) => {
    const response = await post(body);
    expect(response.status).toBe(202);
  });
});

describe('POST /api/v1/export/create refuses a malformed body and names the field', () => {
  const cases: Array<[string, unknown, Expected]> = [
    // name
    ['name missing', without('name'), invalid('name')],
    ['name empty', withBase({ name: '' }), invalid('name')],
    ['name longer than 200 characters', withBase({ name: 'n'.repeat(201) }), invalid('name')],
    ['name a number', withBase({ name: 42 }), invalid('name')],
    ['name an array', withBase({ name: ['a'] }), invalid('name')],
    // data_sources
    ['data_sources missing', without('data_sources'), invalid('data_sources')],
    ['data_sources empty', withBase({ data_sources: [] }), invalid('data_sources')],
    ['data_sources a string instead of an array', withBase({ data_sources: 'user_activity' }), invalid('data_sources')],
    ['data_sources with 21 entries', withBase({ data_sources: Array.from({ length: 21 }, () => ({ type: 'user_activity' })) }), invalid('data_sources')],
    ['data_sources[0] a string', withBase({ data_sources: ['user_activity'] }), invalid('data_sources[0]')],
    ['data_sources[0] an array', withBase({ data_sources: [[{ type: 'user_activity' }]] }), invalid('data_sources[0]')],
    ['data_sources[0].type missing', withBase({ data_sources: [{ fields: ['user_id'] }] }), invalid('data_sources[0].type')],
    ['data_sources[0].type unknown', withBase({ data_sources: [{ type: 'users' }] }), invalid('data_sources[0].type')],
    ['data_sources[1].type unknown', withBase({ data_sources: [{ type: 'user_activity' }, { type: 'pg_user' }] }), invalid('data_sources[1].type')],
    ['unknown field inside a data source', withSource({ table: 'user_activity' }), invalid('data_sources[0].table')],
    // fields
    ['fields with an unknown column', withSource({ fields: ['user_id', 'password'] }), invalid('data_sources[0].fields[1]')],
    ['fields with a duplicate', withSource({ fields: ['user_id', 'action', 'user_id'] }), invalid('data_sources[0].fields[2]')],
    ['fields a string instead of an array', withSource({ fields: 'user_id' }), invalid('data_sources[0].fields')],
    ['fields empty', withSource({ fields: [] }), invalid('data_sources[0].fields')],
    ['fields holding numbers', withSource({ fields: [1, 2] }), invalid('data_sources[0].fields')],
    ['fields with more than 100 entries', withSource({ fields: Array.from({ length: 101 }, () => 'user_id') }), invalid('data_sources[0].fields')],
    [
      'fields of the raw table on an aggregated source',
      withBase({ data_sources: [{ type: 'agent_performance', aggregation: 'daily', fields: ['period_start', 'no_such_rollup_column'] }] }),
      invalid('data_sources[0].fields[1]'),
    ],
    // format, compression, unknown top-level fields
    ['format missing', without('format'), invalid('format')],
    ['format unknown', withBase({ format: 'xml' }), invalid('format')],
    ['format a number', withBase({ format: 5 }), invalid('format')],
    ['format in upper case', withBase({ format: 'CSV' }), invalid('format')],
    ['compression unknown', withBase({ compression: 'rar' }), invalid('compression')],
    ['compression a boolean', withBase({ compression: true }), invalid('compression')],
    ['an unknown top-level field', withBase({ priority: 'high' }), invalid('priority')],
    ['workspace_id at the top level', withBase({ workspace_id: 'ws_other' }), invalid('workspace_id')],
    // filters
    ['a filter the source does not offer', withFilters({ agent_ids: ['agent_1'] }), invalid('data_sources[0].filters.agent_ids')],
    ['a filter no source offers', withFilters({ customer: 'acme' }), invalid('data_sources[0].filters.customer')],
    ['workspace_id filter of another workspace', withFilters({ workspace_id: 'ws_someone_else' }), invalid('data_sources[0].filters.workspace_id')],
    ['filters an array', withSource({ filters: [] }), invalid('data_sources[0].filters')],
    ['user_ids holding a non-UUID', withFilters({ user_ids: ['00000000-0000-4000-8000-000000000001', 'not-a-uuid'] }), invalid('data_sources[0].filters.user_ids[1]')],
    ['user_ids a string instead of an array', withFilters({ user_ids: '00000000-0000-4000-8000-000000000001' }), invalid('data_sources[0].filters.user_ids')],
    ['actions empty', withFilters({ actions: [] }), invalid('data_sources[0].filters.actions')],
    ['actions holding a non-identifier', withFilters({ actions: ['login', 'drop table'] }), invalid('data_sources[0].filters.actions[1]')],
    ['success a string', withFilters({ success: 'yes' }), invalid('data_sources[0].filters.success')],
    ['success null', withFilters({ success: null }), invalid('data_sources[0].filters.success')],
    ['user_ids null', withFilters({ user_ids: null }), invalid('data_sources[0].filters.user_ids')],
    // aggregation
    ['aggregation on a source without rollups', withSource({ aggregation: 'daily' }), invalid('data_sources[0].aggregation')],
    ['aggregation unknown', withBase({ data_sources: [{ type: 'agent_performance', aggregation: 'hourly' }] }), invalid('data_sources[0].aggregation')],
    // date ranges
    ['date_range start 2024-02-30', withRange('2024-02-30', '2024-03-31'), invalid('data_sources[0].filters.date_range.start')],
    ['date_range start 2024-02-30T00:00:00Z', withRange('2024-02-30T00:00:00Z', '2024-03-31'), invalid('data_sources[0].filters.date_range.start')],
    ['date_range relative unknown', withFilters({ date_range: { relative: 'last_quarter' } }), invalid('data_sources[0].filters.date_range.relative')],
    ['date_range relative with start', withFilters({ date_range: { relative: 'previous_day', start: '2024-01-01' } }), invalid('data_sources[0].filters.date_range.relative')],
    ['date_range last_n_days without days', withFilters({ date_range: { relative: 'last_n_days' } }), invalid('data_sources[0].filters.date_range.days')],
    ['date_range last_n_days 0', withFilters({ date_range: { relative: 'last_n_days', days: 0 } }), invalid('data_sources[0].filters.date_range.days')],
    ['date_range without end', withFilters({ date_range: { start: '2024-01-01' } }), invalid('data_sources[0].filters.date_range.end')],
    ['date_range end 2023-02-29', withRange('2023-01-01', '2023-02-29'), invalid('data_sources[0].filters.date_range.end')],
    ['date_range end before start', withRange('2024-03-31', '2024-01-01'), invalid('data_sources[0].filters.date_range.end')],
    ['date_range end equal to an instant start', withRange('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'), invalid('data_sources[0].filters.date_range.end')],
    ['date_range start without a time zone', withRange('2024-01-01T00:00:00', '2024-02-01'), invalid('data_sources[0].filters.date_range.start')],
    ['date_range end in another format', withRange('2024-01-01', '03/31/2024'), invalid('data_sources[0].filters.date_range.end')],
    ['date_range end missing', withFilters({ date_range: { start: '2024-01-01' } }), invalid('data_sources[0].filters.date_range.end')],
    ['date_range start a number', withRange(20240101, '2024-02-01'), invalid('data_sources[0].filters.date_range.start')],
    ['date_range in the year 1800', withRange('1800-01-01', '1800-02-01'), invalid('data_sources[0].filters.date_range.start')],
    ['date_range a string', withFilters({ date_range: '2024-01-01/2024-03-31' }), invalid('data_sources[0].filters.date_range')],
    ['date_range null', withFilters({ date_range: null }), invalid('data_sources[0].filters.date_range')],
    ['date_range with an unknown field', withFilters({ date_range: { start: '2024-01-01', end: '2024-02-01', tz: 'UTC' } }), invalid('data_sources[0].filters.date_range.tz')],
    // split_files
    ['split_by size without max_size_mb', withSplit({ split_by: 'size' }), invalid('split_files.max_size_mb')],
    ['split_by size with max_size_mb null', withSplit({ split_by: 'size', max_size_mb: null }), invalid('split_files.max_size_mb')],
    ['max_size_mb 0', withSplit({ split_by: 'size', max_size_mb: 0 }), invalid('split_files.max_size_mb')],
    ['max_size_mb 10241', withSplit({ split_by: 'size', max_size_mb: 10_241 }), invalid('split_files.max_size_mb')],
    ['max_size_mb 1.5', withSplit({ split_by: 'size', max_size_mb: 1.5 }), invalid('split_files.max_size_mb')],
    ['max_size_mb a string', withSplit({ split_by: 'size', max_size_mb: '100' }), invalid('split_files.max_size_mb')],
    ['split_files enabled without split_by', withSplit({}), invalid('split_files.split_by')],
    ['split_by unknown', withSplit({ split_by: 'day' }), invalid('split_files.split_by')],
    ['split_files without enabled', withBase({ split_files: { split_by: 'month' } }), invalid('split_files.enabled')],
    ['split_files.enabled a string', withBase({ split_files: { enabled: 'true', split_by: 'month' } }), invalid('split_files.enabled')],
    // delivery
    ['delivery.method email with no mail server configured', withBase({ delivery: { method: 'email', email_recipients: ['admin@company.com'] } }), invalid('delivery.method')],
    ['delivery.method unknown', withBase({ delivery: { method: 'pigeon' } }), invalid('delivery.method')],
    ['delivery.email_recipients not addresses', withBase({ delivery: { method: 'download', email_recipients: ['not-an-address'] } }), invalid('delivery.email_recipients')],
    ['delivery.s3_config.bucket too short', withBase({ delivery: { method: 'download', s3_config: { bucket: 'a' } } }), invalid('delivery.s3_config.bucket')],
    // encryption
    ['a weak client password', withEncryption({ enabled: true, password: 'short1!' }), invalid('encryption.password')],
    ['a long single-class password', withEncryption({ enabled: true, password: 'alllowercaseletters' }), invalid('encryption.password')],
    ['a password with a control character', withEncryption({ enabled: true, password: 'Abcdef-12345\u0007x' }), invalid('encryption.password')],
    ['a password when encryption is off', withEncryption({ enabled: false, password: 'Correct-Horse-9-Battery' }), invalid('encryption.password')],
    ['a password that is a number', withEncryption({ enabled: true, password: 123456789012 }), invalid('encryption.password')],
    ['a password that is null', withEncryption({ enabled: true, password: null }), invalid('encryption.password')],
    ['encryption.method unknown', withEncryption({ enabled: true, method: 'DES' }), invalid('encryption.method')],
    ['encryption without enabled', withEncryption({ password_protected: true }), invalid('encryption.enabled')],
    ['encryption a string', withBase({ encryption: 'AES256' }), invalid('encryption')],
    // options
    ['options.parquet_compression unknown', withBase({ format: 'parquet', options: { parquet_compression: 'lz4' } }), invalid('options.parquet_compression')],
    ['an unknown option', withBase({ options: { pretty: true } }), invalid('options.pretty')],
    ['options.json_pretty not a boolean', withBase({ format: 'json', options: { json_pretty: 'yes' } }), invalid('options.json_pretty')],
    // prototype pollution keys (sent as raw JSON text: an object literal would set the prototype instead)
    ['__proto__ at the top level', '{"__proto__":{"polluted":true},"name":"x","format":"csv","data_sources":[{"type":"user_activity"}]}', invalid('__proto__')],
    [
      '__proto__ inside filters',
      '{"name":"x","format":"csv","data_sources":[{"type":"user_activity","filters":{"__proto__":{"polluted":true}}}]}',
      invalid('data_sources[0].filters.__proto__'),
    ],
    [
      'constructor.prototype inside options',
      '{"name":"x","format":"csv","data_sources":[{"type":"user_activity"}],"options":{"constructor":{"prototype":{"polluted":true}}}}',
      invalid('options.constructor'),
    ],
    // the body itself
    ['a JSON array body', [BASE], invalid('body')],
  ];

  it.each(cases)('%s', async (_title, body, expected) => {
    const response =
      typeof body === 'string'
        ? await request(harness.app).post('/api/v1/export/create').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'application/json').send(body)
        : await post(body);
    expectError(response, expected);
  });

  it('lists every problem of a request at once', async () => {
    const response = await post(withBase({ format: 'xml', compression: 'rar', data_sources: [{ type: 'user_activity', fields: ['nope'] }] }));
    expectError(response, invalid('format'));
    expect(response.body.error.details.map((detail: { field: string }) => detail.field)).toEqual(expect.arrayContaining(['format', 'compression']));
  });
});

describe('POST /api/v1/export/create refuses a body that is not a JSON object', () => {
  const send = () => request(harness.app).post('/api/v1/export/create').set('Authorization', `Bearer ${admin}`);
  const cases: Array<[string, () => request.Test, Expected]> = [
    ['invalid JSON (trailing comma)', () => send().set('Content-Type', 'application/json').send('{"name":"x",}'), { status: 400, code: 'invalid_json' }],
    ['invalid JSON (cut short)', () => send().set('Content-Type', 'application/json').send('{"name":"x","format":'), { status: 400, code: 'invalid_json' }],
    ['a JSON string body', () => send().set('Content-Type', 'application/json').send('"just a string"'), { status: 400, code: 'invalid_json' }],
    ['a JSON null body', () => send().set('Content-Type', 'application/json').send('null'), { status: 400, code: 'invalid_json' }],
    ['an empty body (read as {}: the required fields are missing)', () => send().set('Content-Type', 'application/json'), invalid('name')],
    ['text/plain', () => send().set('Content-Type', 'text/plain').send(JSON.stringify(BASE)), { status: 415, code: 'unsupported_media_type' }],
    ['a form body', () => send().type('form').send({ name: 'x', format: 'csv' }), { status: 415, code: 'unsupported_media_type' }],
    [
      'application/json in latin1',
      () => send().set('Content-Type', 'application/json; charset=latin1').send(JSON.stringify(BASE)),
      { status: 415, code: 'unsupported_media_type' },
    ],
    [
      'a body over the 256 KiB limit',
      () =>
        send()
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(withBase({ name: 'x'.repeat(300 * 1024) }))),
      { status: 413, code: 'payload_too_large' },
    ],
    [
      'a gzip Content-Encoding on a body that is not gzip',
      () => send().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(JSON.stringify(BASE)),
      { status: [400, 415] },
    ],
    [
      'an unknown Content-Encoding',
      () => send().set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send(JSON.stringify(BASE)),
      { status: 415, code: 'unsupported_media_type' },
    ],
  ];

  it.each(cases)('%s', async (_title, send, expected) => {
    expectError(await send(), expected);
  });
});

describe('downloads, status, audit and credentials refuse malformed input', () => {
  const get = (path: string) => request(harness.app).get(path).set('Authorization', `Bearer ${admin}`);

  it.each(['abc', '-1', '1.5', '1e3', '0x1', '1234567', ' 1'])('file_index %j is 422 naming file_index', async (fileIndex) => {
    expectError(await get(`/api/v1/export/download/${queuedJobId}/${encodeURIComponent(fileIndex)}`), invalid('file_index'));
  });

  it('a download of a queued export is 400 export_not_completed', async () => {
    expectError(await get(`/api/v1/export/download/${queuedJobId}/0`), { status: 400, code: 'export_not_completed' });
  });

  it.each([
    ['/api/v1/export/status/', 'a status without a job id'],
    ['/api/v1/export/download/job_x', 'a download without a file index'],
    ['/api/v1/export/nope', 'an unknown endpoint'],
  ])('%s (%s) is 404 not_found', async (path) => {
    expectError(await get(path), { status: 404, code: 'not_found' });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['before=abc', 'before'],
    ['before=-1', 'before'],
    ['before=1234567890123456789', 'before'],
  ])('GET /api/v1/audit?%s is 422 naming %s', async (query, field) => {
    expectError(await get(`/api/v1/audit?${query}`), invalid(field));
  });

  const credential = { name: 'warehouse', kind: 's3', config: { bucket: 'exports', region: 'eu-west-1' }, secret: { secret_access_key: 'not-really-secret' } };
  it.each<[string, string, Body]>([
    ['name missing', 'name', { kind: 's3', secret: credential.secret }],
    ['name with spaces and capitals', 'name', { ...credential, name: 'My Warehouse' }],
    ['name longer than 64 characters', 'name', { ...credential, name: 'a'.repeat(65) }],
    ['kind unknown', 'kind', { ...credential, kind: 'gopher' }],
    ['secret missing', 'secret', { name: 'warehouse', kind: 's3' }],
    ['secret a string', 'secret', { ...credential, secret: 'hunter2' }],
    ['a secret value that is a number', 'secret.password', { ...credential, secret: { password: 5 } }],
    ['a secret key that is not snake case', 'secret.Bad-Key', { ...credential, secret: { 'Bad-Key': 'x' } }],
    ['a secret-looking key in config', 'config.password', { ...credential, config: { password: 'hunter2' } }],
    ['a nested config value', 'config.host', { ...credential, config: { host: { name: 'x' } } }],
    ['more than 10 secret keys', 'secret', { ...credential, secret: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) }],
    ['an unknown field', 'owner', { ...credential, owner: 'me' }],
  ])('POST /api/v1/credentials with %s is 422 naming %s', async (_title, field, body) => {
    const response = await request(harness.app).post('/api/v1/credentials').set('Authorization', `Bearer ${admin}`).send(body);
    expectError(response, invalid(field));
    expect(response.text).not.toContain('hunter2');
    expect(response.text).not.toContain('not-really-secret');
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import request from 'supertest';
import { edgeCaseActivityRows, insertActivityRows, parseCsv } from '@export-service/testing';
import { download, startHarness, type Harness } from './support/harness';

/**
 * A generated suite of hostile requests: wrong types in every field, huge values, SQL injection,
 * path traversal, unicode edge cases, prototype-pollution keys, header injection and odd methods.
 * Each must answer below 500, with the JSON error body when it is a 4xx. Afterwards the service is
 * still ready, still exports correctly, and neither the analytics data nor the process was harmed.
 */

const WORKSPACE = 'ws_hostile';
const OTHER = 'ws_hostile_other';
const PASSWORD = 'Correct-Horse-9-Battery';

let harness: Harness;
let server: Server;
let key = '';
/** A completed export and a completed, password-protected one. */
let jobId = '';
let protectedJobId = '';
/** Exports the API accepted during the suite: each must still finish. */
const accepted: Array<{ title: string; jobId: string }> = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Answered by Node's HTTP parser before Express ran (no JSON possible there). */
  fromParser: boolean;
}

interface HostileCase {
  title: string;
  send: () => Promise<Answer>;
  /** When the outcome is certain, the statuses that are right. */
  statuses?: number[];
  /** Node's HTTP parser itself must refuse this one (malformed HTTP). */
  parserLevel?: boolean;
}

// ---------------------------------------------------------------- transport

function fromSupertest(response: request.Response): Answer {
  return { status: response.status, headers: response.headers as Answer['headers'], text: response.text ?? '', fromParser: false };
}

const authed = (test: request.Test) => test.set('Authorization', `Bearer ${key}`);

/** POSTs a body to create: an object goes as JSON, a string as-is with the JSON content type, bytes as-is over a socket. */
async function create(body: unknown, title: string): Promise<Answer> {
  let answer: Answer;
  if (Buffer.isBuffer(body)) {
    answer = await raw(
      head(
        'POST',
        '/api/v1/export/create',
        [
          ['Authorization', `Bearer ${key}`],
          ['Content-Type', 'application/json'],
        ],
        body.length,
      ),
      body,
    );
  } else {
    let test = authed(request(harness.app).post('/api/v1/export/create'));
    test = typeof body === 'string' ? test.set('Content-Type', 'application/json').send(body) : test.send(body as object);
    answer = fromSupertest(await test);
  }
  if (answer.status === 202) accepted.push({ title, jobId: (JSON.parse(answer.text) as { job_id: string }).job_id });
  return answer;
}

async function postCredential(body: unknown): Promise<Answer> {
  let test = authed(request(harness.app).post('/api/v1/credentials'));
  test = typeof body === 'string' ? test.set('Content-Type', 'application/json').send(body) : test.send(body as object);
  return fromSupertest(await test);
}

const get = async (path: string, headers: Record<string, string> = {}) => fromSupertest(await authed(request(harness.app).get(path)).set(headers));
const del = async (path: string) => fromSupertest(await authed(request(harness.app).delete(path)));

/** Sends bytes as they are over a socket (what supertest refuses to send: CRLF in headers, odd methods). */
function raw(head: string, body: Buffer = Buffer.alloc(0)): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(head.slice(0, 80))}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const response = Buffer.concat(chunks).toString('latin1');
      const split = response.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = response.slice(0, split < 0 ? undefined : split).split('\r\n');
      const headers: Answer['headers'] = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let text = split < 0 ? '' : Buffer.from(response.slice(split + 4), 'latin1').toString('utf8');
      if (headers['transfer-encoding'] === 'chunked') text = text.replace(/(^|\r\n)[0-9a-f]+\r\n/gi, '').replace(/\r\n$/, '');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0);
      resolve({ status, headers, text, fromParser: headers['x-request-id'] === undefined });
    });
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/** A request head: method, path, headers (in order, sent verbatim), and Connection: close. */
function head(method: string, path: string, headers: Array<[string, string]>, bodyLength?: number): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers.map(([name, value]) => `${name}: ${value}`)];
  if (bodyLength !== undefined) lines.push(`Content-Length: ${bodyLength}`);
  return `${[...lines, 'Connection: close'].join('\r\n')}\r\n\r\n`;
}

// ---------------------------------------------------------------- bodies

type Path = Array<string | number>;
type Json = Record<string, unknown>;

/** A valid request using every field; each case breaks one place in it. */
function richBody(): Json {
  return {
    name: 'hostile',
    format: 'csv',
    compression: 'gzip',
    data_sources: [
      {
        type: 'user_activity',
        fields: ['user_id', 'action', 'timestamp'],
        filters: {
          date_range: { start: '2024-01-01', end: '2025-12-31' },
          workspace_id: WORKSPACE,
          user_ids: ['00000000-0000-4000-8000-000000000001'],
          actions: ['login'],
          success: true,
        },
      },
    ],
    split_files: { enabled: true, max_size_mb: 100, split_by: 'month' },
    delivery: { method: 'download' },
    encryption: { enabled: false, password_protected: false },
    options: { parquet_compression: 'snappy' },
  };
}

function setAt(body: Json, path: Path, value: unknown): Json {
  const copy = JSON.parse(JSON.stringify(body)) as Json;
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

const label = (path: Path) =>
  path
    .map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`))
    .join('')
    .slice(1);
const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...(${text.length} chars)` : text;
};

const SOURCE: Path = ['data_sources', 0];
const FILTERS: Path = [...SOURCE, 'filters'];
/** Every field of the create body. */
const FIELD_PATHS: Path[] = [
  ['name'],
  ['format'],
  ['compression'],
  ['data_sources'],
  SOURCE,
  [...SOURCE, 'type'],
  [...SOURCE, 'fields'],
  [...SOURCE, 'fields', 0],
  [...SOURCE, 'aggregation'],
  FILTERS,
  [...FILTERS, 'date_range'],
  [...FILTERS, 'date_range', 'start'],
  [...FILTERS, 'date_range', 'end'],
  [...FILTERS, 'workspace_id'],
  [...FILTERS, 'user_ids'],
  [...FILTERS, 'user_ids', 0],
  [...FILTERS, 'actions'],
  [...FILTERS, 'actions', 0],
  [...FILTERS, 'success'],
  ['split_files'],
  ['split_files', 'enabled'],
  ['split_files', 'max_size_mb'],
  ['split_files', 'split_by'],
  ['delivery'],
  ['delivery', 'method'],
  ['encryption'],
  ['encryption', 'enabled'],
  ['encryption', 'password'],
  ['options'],
  ['options', 'parquet_compression'],
];
/** Places where a string is checked against a closed set or a pattern: junk there is always a 422. */
const STRICT_STRING_PATHS: Path[] = [
  ['format'],
  ['compression'],
  [...SOURCE, 'type'],
  [...SOURCE, 'fields', 0],
  [...SOURCE, 'aggregation'],
  [...FILTERS, 'date_range', 'start'],
  [...FILTERS, 'date_range', 'end'],
  [...FILTERS, 'workspace_id'],
  [...FILTERS, 'user_ids', 0],
  [...FILTERS, 'actions', 0],
  ['split_files', 'split_by'],
  ['delivery', 'method'],
  ['options', 'parquet_compression'],
];

const WRONG_TYPES: unknown[] = [null, true, 0, -1.5, 'a string', [], {}, [null], [[[]]], { nested: { deeper: [1] } }];

const SQL_INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE user_activity; --",
  '1; SELECT pg_sleep(5); --',
  'user_id FROM user_activity; DELETE FROM user_activity; --',
  '$$; TRUNCATE user_activity CASCADE; $$',
  '" OR ""="',
  "ws_hostile' OR workspace_id <> 'ws_hostile",
  "user_id, (SELECT string_agg(key_hash, ',') FROM api_keys) AS leak",
];

const TRAVERSALS = ['../../etc/passwd', '..%2f..%2fetc%2fpasswd', '/etc/passwd', '..\\..\\windows\\win.ini', '....//....//etc/shadow', '%2e%2e%2f%2e%2e%2f', 'file:///etc/passwd'];

const UNICODE: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['a lone high surrogate', 'a\ud800b'],
  ['a lone low surrogate', '\udc00'],
  ['an RTL override', 'report\u202Etxt.exe'],
  ['zero-width characters', '\u200B\u200C\u200D\u2060'],
  ['a BOM', '\uFEFFname'],
  ['emoji', '🚀👩‍👩‍👧‍👦🏳️‍🌈'],
  ['1000 combining marks', `a${'\u0301'.repeat(1000)}`],
  ['non-characters', '\uFFFE\uFFFF'],
  ['fullwidth digits', '２０２４-０１-０１'],
];

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];
const POLLUTION_VALUE = { polluted: 'yes', isAdmin: true, role: 'admin', prototype: { polluted: 'yes' } };
const PLACEHOLDER = '__hostile_key_placeholder__';

/** The body with `key` holding the pollution payload at `path`, as JSON text (an object literal would set the prototype instead). */
function withKeyAt(body: Json, path: Path, key: string): string {
  const copy = JSON.parse(JSON.stringify(body)) as Json;
  let node: Record<string | number, unknown> = copy;
  for (const step of path) {
    node[step] ??= {};
    node = node[step] as Record<string | number, unknown>;
  }
  node[PLACEHOLDER] = POLLUTION_VALUE;
  return JSON.stringify(copy).replace(`"${PLACEHOLDER}"`, JSON.stringify(key));
}

/** `{"a":{"a":...{"key": payload}}}` nested `depth` levels. */
function deepKey(depth: number, key: string): string {
  return `${'{"a":'.repeat(depth)}{${JSON.stringify(key)}:${JSON.stringify(POLLUTION_VALUE)}}${'}'.repeat(depth)}`;
}

const credential = (name: string, patch: Json = {}): Json => ({
  name,
  kind: 'sftp',
  config: { host: 'sftp.example.com', port: 22 },
  secret: { password: 'sftp-secret-1' },
  ...patch,
});
let credentialSeq = 0;
const freshName = () => `hostile-${(credentialSeq += 1)}`;

// ---------------------------------------------------------------- the cases

const cases: HostileCase[] = [];
const add = (title: string, send: () => Promise<Answer>, options: Omit<HostileCase, 'title' | 'send'> = {}) => cases.push({ title, send, ...options });

// Wrong types in every field.
for (const path of FIELD_PATHS) {
  for (const value of WRONG_TYPES) {
    const title = `wrong type: ${label(path)} = ${show(value)}`;
    add(title, () => create(setAt(richBody(), path, value), title));
  }
}

// SQL injection in every string field, every filter value, fields, and every other input.
for (const sql of SQL_INJECTIONS) {
  for (const path of [['name'], ...STRICT_STRING_PATHS, [...FILTERS, 'user_ids'], ['encryption', 'password']] as Path[]) {
    const value = path[path.length - 1] === 'user_ids' ? [sql] : sql;
    const body = path[0] === 'encryption' ? setAt(setAt(richBody(), ['encryption', 'enabled'], true), path, value) : setAt(richBody(), path, value);
    const title = `sql injection in ${label(path)}: ${show(sql)}`;
    add(title, () => create(body, title), STRICT_STRING_PATHS.includes(path) || path.includes('user_ids') ? { statuses: [422] } : {});
  }
  add(`sql injection in session_ids, resource_types: ${show(sql)}`, () => create(setAt(richBody(), FILTERS, { session_ids: [sql], resource_types: [sql] }), 'sql filters'), {
    statuses: [422],
  });
  add(`sql injection in a status job id: ${show(sql)}`, () => get(`/api/v1/export/status/${encodeURIComponent(sql)}`), { statuses: [404] });
  add(`sql injection in a download job id: ${show(sql)}`, () => get(`/api/v1/export/download/${encodeURIComponent(sql)}/0`), { statuses: [404] });
  add(`sql injection in a file index: ${show(sql)}`, () => get(`/api/v1/export/download/${jobId}/${encodeURIComponent(sql)}`), { statuses: [422] });
  add(`sql injection in audit ?before: ${show(sql)}`, () => get(`/api/v1/audit?before=${encodeURIComponent(sql)}`), { statuses: [422] });
  add(`sql injection in audit ?limit: ${show(sql)}`, () => get(`/api/v1/audit?limit=${encodeURIComponent(sql)}`), { statuses: [422] });
  add(`sql injection in a credential name: ${show(sql)}`, () => postCredential(credential(sql)), { statuses: [422] });
  add(`sql injection in a credential config value: ${show(sql)}`, () => postCredential(credential(freshName(), { config: { host: sql } })), { statuses: [201] });
  add(`sql injection in a credential delete id: ${show(sql)}`, () => del(`/api/v1/credentials/${encodeURIComponent(sql)}`), { statuses: [404] });
}

// Path traversal in names, fields, filters, job ids, file indexes and credential names.
for (const traversal of TRAVERSALS) {
  add(`traversal in name: ${traversal}`, () => create(setAt(richBody(), ['name'], traversal), `traversal name ${traversal}`), { statuses: [202] });
  add(`traversal in fields[0]: ${traversal}`, () => create(setAt(richBody(), [...SOURCE, 'fields', 0], traversal), 'traversal field'), { statuses: [422] });
  add(`traversal in actions[0]: ${traversal}`, () => create(setAt(richBody(), [...FILTERS, 'actions', 0], traversal), 'traversal action'), { statuses: [422] });
  add(`traversal as a status job id (encoded): ${traversal}`, () => get(`/api/v1/export/status/${encodeURIComponent(traversal)}`), { statuses: [404] });
  add(`traversal as a download job id (encoded): ${traversal}`, () => get(`/api/v1/export/download/${encodeURIComponent(traversal)}/0`), { statuses: [404] });
  add(`traversal as a file index (encoded): ${traversal}`, () => get(`/api/v1/export/download/${jobId}/${encodeURIComponent(traversal)}`), { statuses: [422] });
  add(`traversal in the raw download path: ${traversal}`, () => raw(head('GET', `/api/v1/export/download/${jobId}/${traversal}`, [['Authorization', `Bearer ${key}`]])), {
    statuses: [404, 422],
  });
  add(`traversal in a credential name: ${traversal}`, () => postCredential(credential(traversal)), { statuses: [422] });
  add(`traversal as a credential delete id: ${traversal}`, () => del(`/api/v1/credentials/${encodeURIComponent(traversal)}`), { statuses: [404] });
}

// Unicode edge cases in text fields, filters, passwords, credentials and paths.
for (const [what, text] of UNICODE) {
  add(`unicode (${what}) in name`, () => create(setAt(richBody(), ['name'], text), `unicode name ${what}`), { statuses: [202, 422] });
  add(`unicode (${what}) in fields[0]`, () => create(setAt(richBody(), [...SOURCE, 'fields', 0], text), 'unicode field'), { statuses: [422] });
  add(`unicode (${what}) in actions[0]`, () => create(setAt(richBody(), [...FILTERS, 'actions', 0], text), 'unicode action'), { statuses: [422] });
  add(`unicode (${what}) in workspace_id`, () => create(setAt(richBody(), [...FILTERS, 'workspace_id'], text), 'unicode workspace'), { statuses: [422] });
  add(`unicode (${what}) in date_range.start`, () => create(setAt(richBody(), [...FILTERS, 'date_range', 'start'], text), 'unicode date'), { statuses: [422] });
  add(`unicode (${what}) in a password`, () => create(setAt(richBody(), ['encryption'], { enabled: true, password: `${text}Aa1!${text}xyzXYZ789` }), `unicode password ${what}`), {
    statuses: [202, 422],
  });
  add(`unicode (${what}) in a credential name`, () => postCredential(credential(text)), { statuses: [422] });
  add(`unicode (${what}) in a credential config value`, () => postCredential(credential(freshName(), { config: { host: text } })), { statuses: [201, 422] });
  add(`unicode (${what}) in a credential secret`, () => postCredential(credential(freshName(), { secret: { password: text } })), { statuses: [201, 422] });
  add(`unicode (${what}) as a job id`, () => get(`/api/v1/export/status/${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}`), { statuses: [404] });
}
for (const escape of ['%', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF', '%00', 'job_%00', '%uD800']) {
  add(`a malformed or NUL percent-escape as a status job id: ${escape}`, () => get(`/api/v1/export/status/${escape}`), { statuses: [400, 404] });
  add(`a malformed or NUL percent-escape as a file index: ${escape}`, () => get(`/api/v1/export/download/${jobId}/${escape}`), { statuses: [400, 404, 422] });
}
add(
  'invalid UTF-8 bytes inside a JSON string',
  () =>
    create(
      Buffer.concat([
        Buffer.from('{"name":"'),
        Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]),
        Buffer.from('","format":"csv","data_sources":[{"type":"user_activity"}]}'),
      ]),
      'invalid utf-8',
    ),
  { statuses: [202, 400] },
);
add('a UTF-16 body with a BOM', () => create(Buffer.from(`\uFEFF${JSON.stringify(richBody())}`, 'utf16le'), 'utf-16'), { statuses: [400, 415] });

// Prototype-pollution keys at several depths of both JSON endpoints.
const POLLUTION_PLACES: Array<[string, Path]> = [
  ['the top level', []],
  ['a data source', SOURCE],
  ['filters', FILTERS],
  ['date_range', [...FILTERS, 'date_range']],
  ['split_files', ['split_files']],
  ['delivery.s3_config', ['delivery', 's3_config']],
  ['encryption', ['encryption']],
  ['options', ['options']],
];
for (const pollutionKey of POLLUTION_KEYS) {
  for (const [where, path] of POLLUTION_PLACES) {
    add(`${pollutionKey} in ${where}`, () => create(withKeyAt(richBody(), path, pollutionKey), 'pollution'), { statuses: [422] });
  }
  for (const where of ['', 'config', 'secret']) {
    add(`${pollutionKey} in a credential ${where || 'body'}`, () => postCredential(withKeyAt(credential(freshName()), where ? [where] : [], pollutionKey)), { statuses: [422] });
  }
  add(
    `${pollutionKey} 40 levels deep in the create body`,
    () => create(`{"name":"x","format":"csv","data_sources":[{"type":"user_activity"}],"deep":${deepKey(40, pollutionKey)}}`, 'deep pollution'),
    { statuses: [422] },
  );
  add(
    `${pollutionKey} 40 levels deep in a credential config`,
    () => postCredential(`{"name":"${freshName()}","kind":"s3","secret":{"a":"b"},"config":${deepKey(40, pollutionKey)}}`),
    { statuses: [422] },
  );
  add(`${pollutionKey} in the query string`, () => get(`/api/v1/audit?${pollutionKey}[polluted]=yes&${pollutionKey}.polluted=yes`), { statuses: [200] });
}
add('constructor.prototype as a dotted key', () => create(setAt(richBody(), ['options'], { 'constructor.prototype.polluted': 'yes' }), 'dotted'), { statuses: [422] });

// Huge values.
const big = (n: number) => 'x'.repeat(n);
add('a 200 KB name', () => create(setAt(richBody(), ['name'], big(200_000)), 'big name'), { statuses: [422] });
add('a 1 MB name', () => create(setAt(richBody(), ['name'], big(1_000_000)), 'huge name'), { statuses: [413] });
add(
  'fields with 50,000 entries',
  () =>
    create(
      setAt(
        richBody(),
        [...SOURCE, 'fields'],
        Array.from({ length: 50_000 }, () => 'id'),
      ),
      'many fields',
    ),
  { statuses: [422] },
);
add(
  'fields with 1,000,000 entries (over the body limit)',
  () =>
    create(
      setAt(
        richBody(),
        [...SOURCE, 'fields'],
        Array.from({ length: 1_000_000 }, () => 0),
      ),
      'million fields',
    ),
  { statuses: [413] },
);
add(
  'data_sources with 5,000 entries',
  () =>
    create(
      setAt(
        richBody(),
        ['data_sources'],
        Array.from({ length: 5_000 }, () => ({ type: 'user_activity' })),
      ),
      'many sources',
    ),
  { statuses: [422] },
);
add(
  'user_ids with 6,000 UUIDs',
  () =>
    create(
      setAt(
        richBody(),
        [...FILTERS, 'user_ids'],
        Array.from({ length: 6_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
      ),
      'many users',
    ),
  { statuses: [202] },
);
add(
  'actions with 1,001 values',
  () =>
    create(
      setAt(
        richBody(),
        [...FILTERS, 'actions'],
        Array.from({ length: 1_001 }, (_, i) => `a${i}`),
      ),
      'many actions',
    ),
  { statuses: [422] },
);
add('a 10,000-character field name', () => create(setAt(richBody(), [...SOURCE, 'fields', 0], big(10_000)), 'long field'), { statuses: [422] });
add('a 10,000-character date', () => create(setAt(richBody(), [...FILTERS, 'date_range', 'start'], `2024-01-01${big(10_000)}`), 'long date'), { statuses: [422] });
add('a 100,000-character password', () => create(setAt(richBody(), ['encryption'], { enabled: true, password: `Aa1!${big(100_000)}` }), 'long password'), { statuses: [422] });
add('arrays nested 50,000 deep', () => create(`{"name":${'['.repeat(50_000)}${']'.repeat(50_000)},"format":"csv","data_sources":[{"type":"user_activity"}]}`, 'deep arrays'), {
  statuses: [400, 413, 422],
});
add(
  'objects nested 20,000 deep in filters',
  () => create(`{"name":"x","format":"csv","data_sources":[{"type":"user_activity","filters":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}]}`, 'deep objects'),
  { statuses: [400, 413, 422] },
);
add(
  'objects nested 1,000 deep in a credential config',
  () => postCredential(`{"name":"${freshName()}","kind":"s3","secret":{"a":"b"},"config":${'{"a":'.repeat(1_000)}1${'}'.repeat(1_000)}}`),
  { statuses: [400, 413, 422] },
);
for (const number of ['1e308', '1e400', '-0', '9007199254740993', '0.0000001', '-1e308', '1E2']) {
  add(
    `max_size_mb ${number}`,
    () => create(JSON.stringify(setAt(richBody(), ['split_files'], { enabled: true, split_by: 'size', max_size_mb: 12345 })).replace('12345', number), `number ${number}`),
    { statuses: number === '1E2' ? [202] : [422] },
  );
}
add('a 10,000-character job id', () => get(`/api/v1/export/status/${big(10_000)}`), { statuses: [404, 414] });
add('a 10,000-digit file index', () => get(`/api/v1/export/download/${jobId}/${'9'.repeat(10_000)}`), { statuses: [422] });
add('a 10,000-character audit ?limit', () => get(`/api/v1/audit?limit=${'9'.repeat(10_000)}`), { statuses: [422] });
add('a 10,000-character X-Export-Password', () => get(`/api/v1/export/download/${protectedJobId}/0`, { 'X-Export-Password': big(10_000) }), { statuses: [401, 429] });

// Header injection: CRLF and other bytes in headers, sent raw.
const status = () => `/api/v1/export/status/${jobId}`;
const protectedFile = () => `/api/v1/export/download/${protectedJobId}/0`;
add(
  'CRLF in X-Export-Password adding a header',
  () =>
    raw(
      head('GET', protectedFile(), [
        ['Authorization', `Bearer ${key}`],
        ['X-Export-Password', 'wrong\r\nX-Injected: yes'],
      ]),
    ),
  { statuses: [401, 429] },
);
add(
  'CRLF in X-Export-Password adding a second password',
  () =>
    raw(
      head('GET', protectedFile(), [
        ['Authorization', `Bearer ${key}`],
        ['X-Export-Password', `wrong\r\nX-Export-Password: ${PASSWORD}`],
      ]),
    ),
  { statuses: [401, 429] },
);
add('CRLF in Authorization adding X-Forwarded-For', () => raw(head('GET', status(), [['Authorization', `Bearer ${key}\r\nX-Forwarded-For: 6.6.6.6`]])), { statuses: [200] });
add('CRLF in Authorization with a bogus key', () => raw(head('GET', status(), [['Authorization', 'Bearer nope\r\nX-Api-Key: nope']])), { statuses: [401] });
add(
  'CRLF in X-Request-Id trying to set a cookie',
  () =>
    raw(
      head('GET', status(), [
        ['Authorization', `Bearer ${key}`],
        ['X-Request-Id', 'abcdefgh1\r\nSet-Cookie: pwned=1'],
      ]),
    ),
  { statuses: [200] },
);
add('an encoded CRLF in X-Request-Id', () => get(status(), { 'X-Request-Id': 'abc%0d%0aSet-Cookie:%20pwned=1' }), { statuses: [200] });
add('an encoded CRLF in X-Export-Password', () => get(protectedFile(), { 'X-Export-Password': 'x%0d%0aX-Injected:%20yes' }), { statuses: [401, 429] });
add('a bare LF inside Authorization', () => raw(head('GET', status(), [['Authorization', `Bearer ${key}\nX-Evil: 1`]])), { statuses: [200, 400, 401] });
add(
  'a bare CR inside X-Export-Password',
  () =>
    raw(
      head('GET', protectedFile(), [
        ['Authorization', `Bearer ${key}`],
        ['X-Export-Password', 'a\rb'],
      ]),
    ),
  { parserLevel: true },
);
add('a NUL byte inside Authorization', () => raw(head('GET', status(), [['Authorization', `Bearer ${key}\u0000`]])), { parserLevel: true });
add('a folded (obs-fold) Authorization header', () => raw(head('GET', status(), [['Authorization', `Bearer\r\n ${key}`]])), { statuses: [400, 401] });
add(
  'a header without a colon',
  () =>
    raw(
      head('GET', status(), [
        ['Authorization', `Bearer ${key}`],
        ['Broken header line', ''],
      ]).replace('Broken header line: ', 'Broken header line'),
    ),
  { parserLevel: true },
);
add(
  'two different Content-Length headers (request smuggling)',
  () =>
    raw(
      head(
        'POST',
        '/api/v1/export/create',
        [
          ['Authorization', `Bearer ${key}`],
          ['Content-Type', 'application/json'],
          ['Content-Length', '2'],
        ],
        5,
      ),
      Buffer.from('{}{}{'),
    ),
  { parserLevel: true },
);
add(
  'Content-Length with Transfer-Encoding (request smuggling)',
  () =>
    raw(
      head(
        'POST',
        '/api/v1/export/create',
        [
          ['Authorization', `Bearer ${key}`],
          ['Content-Type', 'application/json'],
          ['Transfer-Encoding', 'chunked'],
        ],
        2,
      ),
      Buffer.from('0\r\n\r\n'),
    ),
  { parserLevel: true },
);
add(
  'UTF-8 emoji bytes in X-Export-Password',
  () =>
    raw(
      head('GET', protectedFile(), [
        ['Authorization', `Bearer ${key}`],
        ['X-Export-Password', Buffer.from('🚀🚀🚀 not it', 'utf8').toString('latin1')],
      ]),
    ),
  { statuses: [401, 429] },
);
add('latin1 bytes in Authorization', () => raw(head('GET', status(), [['Authorization', 'Bearer dxk_\u00ff\u00fe\u00e9']])), { statuses: [401] });
add('an Authorization header of 12 KB', () => get(status(), { Authorization: `Bearer ${big(12_000)}` }), { statuses: [401, 431] });
add('a Range header of junk', () => get(`/api/v1/export/download/${jobId}/0`, { Range: "bytes=0-1'; DROP TABLE user_activity; --" }), { statuses: [200, 206, 416] });
add('a multi-range header', () => get(`/api/v1/export/download/${jobId}/0`, { Range: 'bytes=0-1,5-9,-1' }), { statuses: [200, 206] });
add('a Content-Type with injected parameters', () => fromSupertestPost('application/json; charset=utf-8; boundary="x"; q=../../etc', JSON.stringify(richBody())), {
  statuses: [202, 415],
});
add('a Content-Type of application/json-seq', () => fromSupertestPost('application/json-seq', JSON.stringify(richBody())), { statuses: [415] });
add('a Content-Type of multipart/form-data', () => fromSupertestPost('multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--'), {
  statuses: [415],
});

async function fromSupertestPost(contentType: string, body: string): Promise<Answer> {
  const response = await authed(request(harness.app).post('/api/v1/export/create')).set('Content-Type', contentType).send(body);
  if (response.status === 202) accepted.push({ title: `content type ${contentType}`, jobId: response.body.job_id as string });
  return fromSupertest(response);
}

// Odd methods on every endpoint, with and without a key.
const ODD_METHODS = ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'PURGE', 'SEARCH', 'LOCK', 'COPY', 'MOVE', 'REPORT'];
for (const method of ODD_METHODS) {
  for (const path of ['/api/v1/export/create', '/api/v1/export/status/:job', '/api/v1/export/download/:job/0', '/api/v1/audit']) {
    add(`${method} ${path}`, () => raw(head(method, path.replace(':job', jobId), [['Authorization', `Bearer ${key}`]])), {
      statuses: method === 'OPTIONS' ? [200, 204, 404] : [404, 405],
    });
  }
  add(`${method} /api/v1/export/create without a key`, () => raw(head(method, '/api/v1/export/create', [])), { statuses: [401] });
}
add('an unknown method token', () => raw(head('FOOBAR', status(), [['Authorization', `Bearer ${key}`]])), { parserLevel: true });
add('HTTP/1.0 without Host', () => raw(`GET ${status()} HTTP/1.0\r\nAuthorization: Bearer ${key}\r\n\r\n`), { statuses: [200] });
add('an absolute-form request target', () => raw(head('GET', `http://evil.example${status()}`, [['Authorization', `Bearer ${key}`]])), { statuses: [200, 400, 404] });
add('a request target with a fragment and dot segments', () => raw(head('GET', `/api/v1/export/./status/../status/${jobId}#frag`, [['Authorization', `Bearer ${key}`]])), {
  statuses: [200, 400, 404],
});

// ---------------------------------------------------------------- the run

/** What must hold before and after: analytics rows, tables, the prototype of every object. */
async function fingerprint() {
  const analytics = await harness.env.analyticsPool.query<{ count: string; md5: string }>(`SELECT count(*), md5(string_agg(t::text, ',' ORDER BY id)) FROM user_activity t`);
  const analyticsTables = await harness.env.analyticsPool.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  const metadataTables = (await harness.deps.dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)) as Array<{
    name: string;
  }>;
  const apiKeys = (await harness.deps.dataSource.query(`SELECT count(*)::int AS count FROM api_keys`)) as Array<{ count: number }>;
  return {
    userActivity: analytics.rows[0],
    analyticsTables: analyticsTables.rows.map((row) => row.name),
    metadataTables: metadataTables.map((row) => row.name),
    apiKeys: apiKeys[0]?.count,
  };
}
let before: Awaited<ReturnType<typeof fingerprint>>;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

async function createCompleted(body: Json): Promise<string> {
  const created = await authed(request(harness.app).post('/api/v1/export/create')).send(body);
  expect(created.status).toBe(202);
  const done = await harness.waitForStatus(created.body.job_id as string, key);
  expect(done.status).toBe('completed');
  return created.body.job_id as string;
}

beforeAll(async () => {
  harness = await startHarness('hostile');
  key = await harness.createKey(WORKSPACE, 'admin');
  await insertActivityRows(harness.env.analyticsPool, [...edgeCaseActivityRows(WORKSPACE), ...edgeCaseActivityRows(OTHER)]);
  server = harness.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  jobId = await createCompleted({ name: 'baseline', format: 'csv', data_sources: [{ type: 'user_activity' }] });
  protectedJobId = await createCompleted({
    name: 'protected',
    format: 'csv',
    data_sources: [{ type: 'user_activity' }],
    encryption: { enabled: false, password_protected: true, password: PASSWORD },
  });
  before = await fingerprint();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await harness.close();
});

describe('hostile requests', () => {
  it('are at least 100', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((hostile) => hostile.title)).size).toBe(cases.length);
  });

  it('start from a valid request that exports completely', async () => {
    const created = await authed(request(harness.app).post('/api/v1/export/create')).send(richBody());
    expect(created.status).toBe(202);
    const done = await harness.waitForStatus(created.body.job_id as string, key);
    expect({ status: done.status, error: done.error }).toEqual({ status: 'completed', error: null });
  });

  it.each(cases.map((hostile) => [hostile.title, hostile] as const))('%s', async (_title, hostile) => {
    const answer = await hostile.send();
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(500);
    if (hostile.parserLevel) {
      // Malformed HTTP: Node refuses it before Express runs.
      expect({ status: answer.status, fromParser: answer.fromParser }).toEqual({ status: 400, fromParser: true });
      return;
    }
    if (hostile.statuses && !hostile.statuses.includes(answer.status)) {
      // Fails showing both the statuses that fit and what came back.
      expect({ status: answer.status, body: answer.text.slice(0, 500) }).toEqual({ status: hostile.statuses, body: answer.text.slice(0, 500) });
    }
    if (answer.status >= 400 && !answer.fromParser) {
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
      expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) } });
      expect((body.error!.code as string).length).toBeGreaterThan(0);
      expect((body.error!.message as string).length).toBeGreaterThan(0);
    }
    // No stack trace, no SQL, no file system path ever comes back.
    expect(answer.text).not.toMatch(/\n\s+at .+:\d+:\d+|node_modules|\/work\/|SQLSTATE|syntax error at or near/);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(answer.headers['x-injected']).toBeUndefined();
  });
});

describe('after the hostile requests', () => {
  it('the service is ready', async () => {
    const ready = await request(harness.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('Object.prototype is not polluted', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    const probe = {} as Record<string, unknown>;
    for (const name of ['polluted', 'isAdmin', 'role', 'prototype']) expect(probe[name]).toBeUndefined();
  });

  it('no analytics row changed, no table was dropped, no key was added', async () => {
    expect(await fingerprint()).toEqual(before);
  });

  it('every export the API accepted finished completed (input a worker cannot run is refused at create)', async () => {
    expect(accepted.length).toBeGreaterThan(0);
    /** Failed exports grouped by their error, with the requests that led to them. */
    const failures: Record<string, string[]> = {};
    for (const { title, jobId: id } of accepted) {
      const done = await harness.waitForStatus(id, key);
      if (done.status !== 'completed') (failures[`${String(done.status)}: ${String(done.error)}`] ??= []).push(title);
    }
    expect(failures).toEqual({});
  });

  it('a normal export still completes with exactly the rows of the database', async () => {
    const id = await createCompleted({
      name: 'after the storm',
      format: 'csv',
      data_sources: [{ type: 'user_activity', fields: ['user_id', 'action', 'resource_id', 'credits', 'timestamp'] }],
    });
    const status = await harness.waitForStatus(id, key);
    const file = await download(harness.app, key, status.files[0].download_url as string);
    expect(file.status).toBe(200);
    expect(file.headers['x-checksum']).toBe(status.files[0].checksum);
    const { rows: truth } = await harness.env.analyticsPool.query<Record<string, string | null>>(
      `SELECT user_id::text, action, resource_id, credits::text, to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "timestamp"
         FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY "timestamp", id`,
      [WORKSPACE],
    );
    const exported = await parseCsv(file.body);
    expect(exported).toEqual(truth.map((row) => Object.fromEntries(Object.entries(row).map(([column, value]) => [column, value ?? '']))));
    expect(exported).toHaveLength(12);
  });
});

import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { DOCUMENTED_ROUTES } from '../src/openapi/documented-routes';
import { DocumentedResponses, openApi31Schema, servedRoutes } from './support/openapi';
import { startHarness, type Harness } from './support/harness';

let harness: Harness;
let document: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const keys = { admin: '', member: '', viewer: '' };

beforeAll(async () => {
  harness = await startHarness('openapi', { withWorker: false });
  keys.admin = await harness.createKey('ws_openapi', 'admin');
  keys.member = await harness.createKey('ws_openapi', 'member');
  keys.viewer = await harness.createKey('ws_openapi', 'viewer');
  const answer = await request(harness.app).get('/api/v1/openapi.json');
  expect(answer.status).toBe(200);
  document = answer.body;
});

afterAll(async () => {
  await harness.close();
});

const opaque = DOCUMENTED_ROUTES.flatMap((part) => part.opaqueMounts ?? []);
const documented = DOCUMENTED_ROUTES.flatMap((part) => part.routes);
const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

it('documents every route the app serves, and serves every route it documents', () => {
  const served = servedRoutes(harness.app, opaque).map((route) => key(route.method, route.path));
  const listed = new Set(documented.map((route) => key(route.method, route.path)));
  const undocumented = [...new Set(served)].filter((route) => !listed.has(route));
  const stale = [...listed].filter((route) => !served.includes(route) && !opaque.some((mount) => route.endsWith(` ${mount}`)));
  if (undocumented.length > 0) {
    throw new Error(
      `routes without an entry in a route table (add them to the router's <resource>.openapi.ts, listed in apps/api/src/openapi/documented-routes.ts):\n  ${undocumented.join('\n  ')}`,
    );
  }
  expect(stale).toEqual([]);
  expect(served.length).toBeGreaterThan(10);
});

it('is a valid OpenAPI 3.1 document whose every schema compiles', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(openApi31Schema());
  expect(validate(document) ? [] : validate.errors).toEqual([]);
  expect(document.openapi).toBe('3.1.0');
  for (const [name, schema] of Object.entries(document.components.schemas as Record<string, object>)) {
    expect(() => new Ajv2020({ strict: false }).addSchema({ $id: 'doc', components: document.components }).compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
    expect(schema).toBeDefined();
  }
  expect(document.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
});

it('describes every operation: summary, security, and the error body for each error status', () => {
  for (const route of documented) {
    const operation = document.paths[route.path][route.method];
    expect(operation.summary).toBeTruthy();
    expect(Array.isArray(operation.security)).toBe(true);
    for (const status of route.errors) expect(operation.responses[String(status)].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  }
  expect(document.components.schemas.Error.properties.error.required).toEqual(['code', 'message', 'details']);
});

it('generates request bodies from the DTO classes the API validates with, so both refuse the same fields', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'doc', components: document.components });
  const create = document.paths['/api/v1/export/create'].post.requestBody.content['application/json'].schema;
  expect(create).toEqual({ $ref: '#/components/schemas/ExportConfigDto' });
  const validate = ajv.compile({ $ref: 'doc#/components/schemas/ExportConfigDto' });
  const body = {
    name: 'Q1',
    data_sources: [{ type: 'user_activity', filters: { date_range: { start: '2024-01-01', end: '2024-03-31' }, actions: ['click'] }, fields: ['user_id'] }],
    format: 'csv',
    compression: 'gzip',
    split_files: { enabled: true, split_by: 'month', max_size_mb: 100 },
    encryption: { enabled: true, method: 'AES256', password_protected: true },
  };
  expect(validate(body)).toBe(true);
  expect(validate({ ...body, colour: 'red' })).toBe(false);
  expect(validate({ ...body, format: 'pdf' })).toBe(false);
  expect(validate({ ...body, data_sources: [{ type: 'user_activity', filters: { no_such_filter: 1 } }] })).toBe(false);
  // Name, sources and format may come from a template; without one they are required.
  expect(validate({ template_id: `tpl_${'0'.repeat(32)}` })).toBe(true);
  expect(validate({ template_id: `tpl_${'0'.repeat(32)}`, format: 'jsonl' })).toBe(true);
  expect(validate({ format: 'csv', data_sources: body.data_sources })).toBe(false);
  const configuration = ajv.compile({ $ref: 'doc#/components/schemas/ExportConfigurationDto' });
  expect(configuration({ format: 'csv', data_sources: body.data_sources })).toBe(true);
  expect(configuration({ format: 'csv' })).toBe(false);
  expect(configuration({ ...body, name: 'x' })).toBe(false);
  // The filters come from the catalog at load time; the document lists them.
  expect(Object.keys(document.components.schemas.FiltersDto.properties)).toEqual(expect.arrayContaining(['date_range', 'user_ids', 'agent_ids', 'success']));
});

/** A value for each path parameter that passes its pattern but names nothing. */
function samplePath(path: string): string {
  return path
    .replace('{job_id}', `job_${'0'.repeat(32)}`)
    .replace('{file_index}', '0')
    .replace('{id}', '00000000-0000-0000-0000-000000000000')
    .replace(/\{[^}]+\}/g, 'x');
}

it('enforces the roles each route table names: viewers and members get 403 where they are not listed', async () => {
  const checked: string[] = [];
  for (const route of documented.filter((entry) => entry.auth === 'api_key' && entry.roles)) {
    for (const role of ['member', 'viewer'] as const) {
      if (route.roles?.includes(role)) continue;
      const answer = await request(harness.app)
        [route.method](samplePath(route.path))
        .set('Authorization', `Bearer ${keys[role]}`)
        .send(route.body ? {} : undefined);
      expect({ route: key(route.method, route.path), role, status: answer.status }).toEqual({ route: key(route.method, route.path), role, status: 403 });
      expect(answer.body.error.code).toMatch(/^(forbidden|read_only_role)$/);
      checked.push(`${role} ${key(route.method, route.path)}`);
    }
  }
  expect(checked.length).toBeGreaterThanOrEqual(8);
});

it('lets a viewer read status (its whole workspace), and refuses unknown jobs with 404', async () => {
  const answer = await request(harness.app)
    .get(`/api/v1/export/status/job_${'0'.repeat(32)}`)
    .set('Authorization', `Bearer ${keys.viewer}`);
  expect(answer.status).toBe(404);
  new DocumentedResponses(document as never).expectMatches('get', '/api/v1/export/status/{job_id}', 404, answer.body);
});

it('serves interactive docs at /docs from local assets', async () => {
  const page = await request(harness.app).get('/docs/');
  expect(page.status).toBe(200);
  expect(page.text).toContain('swagger-ui');
  // Nothing is loaded from elsewhere (no CDN): every script and stylesheet is relative.
  expect(page.text).not.toMatch(/<(script|link)[^>]+(src|href)="(https?:)?\/\//);
  const init = await request(harness.app).get('/docs/swagger-ui-init.js');
  expect(init.status).toBe(200);
  expect(init.text).toContain('/api/v1/openapi.json');
  expect((await request(harness.app).get('/docs/swagger-ui-bundle.js')).status).toBe(200);
});

import request from 'supertest';
import { activityRow, insertActivityRows } from '@export-service/testing';
import { DocumentedResponses } from './support/openapi';
import { startHarness, type Harness } from './support/harness';

const WORKSPACE = 'ws_templates';
let harness: Harness;
/** Every answer checked below is also checked against the schemas the OpenAPI document publishes. */
let documented: DocumentedResponses;
const keys = { admin: '', alice: '', bob: '', viewer: '', stranger: '' };
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

const CONFIGURATION = {
  data_sources: [{ type: 'user_activity', fields: ['user_id', 'action', 'timestamp'], filters: { date_range: { relative: 'previous_month' } } }, { type: 'user_sessions' }],
  format: 'excel',
  compression: 'zip',
};

async function saveTemplate(body: Record<string, unknown> = {}, key = keys.alice) {
  return request(harness.app)
    .post('/api/v1/export/templates')
    .set(auth(key))
    .send({ name: 'Weekly Analytics Package', description: 'Standard weekly analytics export', configuration: CONFIGURATION, ...body });
}

beforeAll(async () => {
  harness = await startHarness('templates', { withWorker: false });
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.alice = await harness.createKey(WORKSPACE, 'member');
  keys.bob = await harness.createKey(WORKSPACE, 'member');
  keys.viewer = await harness.createKey(WORKSPACE, 'viewer');
  keys.stranger = await harness.createKey('ws_templates_other', 'admin');
  await insertActivityRows(
    harness.env.analyticsPool,
    Array.from({ length: 40 }, (_, index) => activityRow({ workspace_id: WORKSPACE, timestamp: new Date(Date.now() - (index + 1) * 3_600_000).toISOString() })),
  );
  documented = new DocumentedResponses((await request(harness.app).get('/api/v1/openapi.json')).body);
}, 120_000);

afterAll(async () => {
  await harness.close();
});

describe('POST and GET /export/templates', () => {
  it('saves a template (the spec answer) and lists it with the spec fields, a real estimate and its creator', async () => {
    const saved = await saveTemplate();
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ template_id: expect.stringMatching(/^tpl_[0-9a-f]{32}$/), created: true });
    documented.expectMatches('post', '/api/v1/export/templates', 201, saved.body);
    const listed = await request(harness.app).get('/api/v1/export/templates').set(auth(keys.alice));
    expect(listed.status).toBe(200);
    documented.expectMatches('get', '/api/v1/export/templates', 200, listed.body);
    const template = (listed.body.templates as Array<Record<string, unknown>>).find((item) => item.id === saved.body.template_id);
    expect(template).toMatchObject({
      name: 'Weekly Analytics Package',
      description: 'Standard weekly analytics export',
      data_sources: ['user_activity', 'user_sessions'],
      format: 'excel',
      last_used: null,
      created_by: 'member (test)',
      is_public: false,
    });
    expect(typeof template?.estimated_size_mb).toBe('number');
    expect(template?.estimated_at).not.toBeNull();
  });

  it('validates the configuration exactly as export/create does, and the catalog check too, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ configuration: { ...CONFIGURATION, format: 'pdf' } }, 'configuration.format'],
      [{ configuration: { ...CONFIGURATION, name: 'x' } }, 'configuration.name'],
      [{ configuration: { format: 'csv' } }, 'configuration.data_sources'],
      [{ configuration: { ...CONFIGURATION, data_sources: [{ type: 'user_activity', fields: ['nope'] }] } }, 'data_sources[0].fields[0]'],
      [
        { configuration: { ...CONFIGURATION, data_sources: [{ type: 'user_activity', filters: { date_range: { relative: 'yesterday' } } }] } },
        'configuration.data_sources[0].filters.date_range.relative',
      ],
      [{ configuration: { ...CONFIGURATION, encryption: { enabled: true, password: 'weak' } } }, 'encryption.password'],
      [{ name: '' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const refused = await saveTemplate(body);
      expect({ field, status: refused.status }).toEqual({ field, status: 422 });
      documented.expectMatches('post', '/api/v1/export/templates', 422, refused.body);
      expect((refused.body.error.details as Array<{ field: string }>).map((detail) => detail.field)).toContain(field);
    }
    // since_last_run is a schedule's range: a template may hold it.
    const incremental = await saveTemplate({
      configuration: { ...CONFIGURATION, data_sources: [{ type: 'user_activity', filters: { date_range: { relative: 'since_last_run' } } }] },
    });
    expect(incremental.status).toBe(201);
  });

  it('shows private templates to their creator and admins, public ones to the workspace, and nothing to other workspaces', async () => {
    const own = (await saveTemplate({ name: 'private one' })).body.template_id as string;
    const shared = (await saveTemplate({ name: 'public one', is_public: true })).body.template_id as string;
    const seenBy = async (key: string) =>
      ((await request(harness.app).get('/api/v1/export/templates').set(auth(key))).body.templates as Array<{ id: string }>).map((item) => item.id);
    expect(await seenBy(keys.alice)).toEqual(expect.arrayContaining([own, shared]));
    expect(await seenBy(keys.admin)).toEqual(expect.arrayContaining([own, shared]));
    expect(await seenBy(keys.bob)).toContain(shared);
    expect(await seenBy(keys.bob)).not.toContain(own);
    expect(await seenBy(keys.stranger)).toEqual([]);
    expect((await request(harness.app).get(`/api/v1/export/templates/${own}`).set(auth(keys.bob))).status).toBe(404);
    expect((await request(harness.app).get(`/api/v1/export/templates/${own}`).set(auth(keys.stranger))).status).toBe(404);
    // Bob sees the public template but may not change it; its creator and admins may.
    const put = (key: string) =>
      request(harness.app).put(`/api/v1/export/templates/${shared}`).set(auth(key)).send({ name: 'renamed', configuration: CONFIGURATION, is_public: true });
    expect((await put(keys.bob)).status).toBe(403);
    const renamed = await put(keys.admin);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'renamed', configuration: CONFIGURATION });
    documented.expectMatches('put', '/api/v1/export/templates/{id}', 200, renamed.body);
    documented.expectMatches('put', '/api/v1/export/templates/{id}', 403, (await put(keys.bob)).body);
    expect((await request(harness.app).delete(`/api/v1/export/templates/${shared}`).set(auth(keys.bob))).status).toBe(403);
    expect((await request(harness.app).delete(`/api/v1/export/templates/${shared}`).set(auth(keys.stranger))).status).toBe(404);
    const deleted = await request(harness.app).delete(`/api/v1/export/templates/${shared}`).set(auth(keys.alice));
    expect(deleted.body).toEqual({ template_id: shared, deleted: true });
    documented.expectMatches('delete', '/api/v1/export/templates/{id}', 200, deleted.body);
    expect((await request(harness.app).get(`/api/v1/export/templates/${shared}`).set(auth(keys.alice))).status).toBe(404);
  });

  it('keeps a template password sealed: never returned, never stored in clear', async () => {
    const password = 'Template-Secret-Pass-42';
    const saved = await saveTemplate({ configuration: { ...CONFIGURATION, encryption: { enabled: true, password_protected: true, password } } });
    expect(saved.status).toBe(201);
    const detail = await request(harness.app).get(`/api/v1/export/templates/${saved.body.template_id}`).set(auth(keys.alice));
    documented.expectMatches('get', '/api/v1/export/templates/{id}', 200, detail.body);
    expect(JSON.stringify(detail.body)).not.toContain(password);
    expect(detail.body).toMatchObject({ has_password: true, configuration: { encryption: { enabled: true, password_protected: true } } });
    const rows = (await harness.dataSource.query(`SELECT configuration::text AS c, sealed_password FROM export_templates WHERE id = $1`, [saved.body.template_id])) as Array<{
      c: string;
      sealed_password: string;
    }>;
    expect(rows[0]?.c).not.toContain(password);
    expect(rows[0]?.sealed_password).not.toContain(password);
  });

  it('lets a viewer list the public templates (a status-like summary), but not read a configuration or change anything', async () => {
    const hidden = (await saveTemplate({ name: 'private to alice' })).body.template_id as string;
    const shared = (await saveTemplate({ name: 'shared with the workspace', is_public: true })).body.template_id as string;
    const listed = await request(harness.app).get('/api/v1/export/templates').set(auth(keys.viewer));
    expect(listed.status).toBe(200);
    documented.expectMatches('get', '/api/v1/export/templates', 200, listed.body);
    const ids = (listed.body.templates as Array<{ id: string }>).map((item) => item.id);
    expect(ids).toContain(shared);
    expect(ids).not.toContain(hidden);
    const refused = [
      await request(harness.app).get(`/api/v1/export/templates/${shared}`).set(auth(keys.viewer)),
      await request(harness.app).put(`/api/v1/export/templates/${shared}`).set(auth(keys.viewer)).send({ name: 'mine now', configuration: CONFIGURATION }),
      await request(harness.app).delete(`/api/v1/export/templates/${shared}`).set(auth(keys.viewer)),
      await saveTemplate({}, keys.viewer),
      await request(harness.app).post('/api/v1/export/create').set(auth(keys.viewer)).send({ template_id: shared }),
    ];
    expect(refused.map((answer) => [answer.status, answer.body.error.code])).toEqual(Array.from({ length: 5 }, () => [403, 'read_only_role']));
    documented.expectMatches('get', '/api/v1/export/templates/{id}', 403, refused[0]?.body);
    expect((await request(harness.app).get(`/api/v1/export/templates/${shared}`).set(auth(keys.alice))).body.name).toBe('shared with the workspace');
  });

  it('takes a stale estimate again when listed, all templates within one estimate budget', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 12; index += 1) ids.push((await saveTemplate({ name: `bulk ${index}` })).body.template_id as string);
    await harness.dataSource.query(`UPDATE export_templates SET estimated_at = now() - interval '2 days', estimated_size_mb = -1 WHERE id = ANY($1)`, [ids]);
    const listed = await request(harness.app).get('/api/v1/export/templates').set(auth(keys.alice));
    const refreshed = (listed.body.templates as Array<{ id: string; estimated_size_mb: number; estimated_at: string }>).filter((item) => ids.includes(item.id));
    expect(refreshed).toHaveLength(12);
    for (const item of refreshed) {
      expect(item.estimated_size_mb).toBeGreaterThanOrEqual(0);
      expect(Date.now() - Date.parse(item.estimated_at)).toBeLessThan(60_000);
    }
  });
});

describe('POST /export/create with template_id', () => {
  it('creates from the template with overrides (top-level fields replace the template\u2019s), records the lineage and last_used', async () => {
    const templateId = (await saveTemplate({ configuration: { ...CONFIGURATION, format: 'csv', compression: 'gzip' } })).body.template_id as string;
    const created = await request(harness.app)
      .post('/api/v1/export/create')
      .set(auth(keys.alice))
      .send({ template_id: templateId, format: 'jsonl', data_sources: [{ type: 'user_activity', fields: ['user_id'] }] });
    expect(created.status).toBe(202);
    const status = await request(harness.app).get(`/api/v1/export/status/${created.body.job_id}`).set(auth(keys.alice));
    expect(status.body).toMatchObject({ name: 'Weekly Analytics Package', format: 'jsonl', compression: 'gzip', lineage: { origin: 'api', template_id: templateId } });
    const [job] = (await harness.dataSource.query(`SELECT spec FROM export_jobs WHERE id = $1`, [created.body.job_id])) as Array<{
      spec: { sources: Array<{ type: string; fields: string[] }> };
    }>;
    expect(job?.spec.sources).toEqual([expect.objectContaining({ type: 'user_activity', fields: ['user_id'] })]);
    const detail = await request(harness.app).get(`/api/v1/export/templates/${templateId}`).set(auth(keys.alice));
    expect(Date.now() - Date.parse(detail.body.last_used as string)).toBeLessThan(60_000);
  });

  it("answers 404 for another member's private template or another workspace's, and 422 for since_last_run outside a schedule", async () => {
    const privateId = (await saveTemplate()).body.template_id as string;
    for (const key of [keys.bob, keys.stranger]) {
      const refused = await request(harness.app).post('/api/v1/export/create').set(auth(key)).send({ template_id: privateId });
      expect(refused.status).toBe(404);
      expect(refused.body.error.message).toContain('template');
    }
    const incremental = (
      await saveTemplate({ configuration: { format: 'csv', data_sources: [{ type: 'user_activity', filters: { date_range: { relative: 'since_last_run' } } }] } })
    ).body.template_id as string;
    const refused = await request(harness.app).post('/api/v1/export/create').set(auth(keys.alice)).send({ template_id: incremental });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details[0]).toEqual({ field: 'data_sources[0].filters.date_range.relative', problem: expect.stringContaining('only for scheduled exports') });
    const malformed = await request(harness.app).post('/api/v1/export/create').set(auth(keys.alice)).send({ template_id: 'tpl_nope' });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.details[0].field).toBe('template_id');
  });
});

describe("a template's schedule block", () => {
  it('creates its schedule (admins), answers 403 to members, and a bad block stores nothing', async () => {
    const schedule = { enabled: true, frequency: 'weekly', day_of_week: 'monday', time: '08:00' };
    const saved = await saveTemplate({ schedule }, keys.admin);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ template_id: expect.any(String), created: true, schedule_id: expect.stringMatching(/^sch_/), next_run: expect.any(String) });
    documented.expectMatches('post', '/api/v1/export/templates', 201, saved.body);
    const nextRun = new Date(saved.body.next_run as string);
    expect(nextRun.getUTCDay()).toBe(1);
    expect(nextRun.getUTCHours()).toBe(8);
    const listed = await request(harness.app).get('/api/v1/export/scheduled').set(auth(keys.admin));
    expect(listed.body.schedules).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: saved.body.schedule_id, template_id: saved.body.template_id, frequency: 'weekly' })]),
    );
    // The template is in use now: it cannot be deleted under its schedule.
    const inUse = await request(harness.app).delete(`/api/v1/export/templates/${saved.body.template_id}`).set(auth(keys.admin));
    expect(inUse.status).toBe(409);
    documented.expectMatches('delete', '/api/v1/export/templates/{id}', 409, inUse.body);
    expect(inUse.body.error.details[0].problem).toContain(saved.body.schedule_id);

    const byMember = await saveTemplate({ schedule });
    expect(byMember.status).toBe(403);
    documented.expectMatches('post', '/api/v1/export/templates', 403, byMember.body);
    const before = ((await harness.dataSource.query(`SELECT count(*)::int AS n FROM export_templates`)) as Array<{ n: number }>)[0]?.n;
    const bad = await saveTemplate({ name: 'bad schedule', schedule: { enabled: true, frequency: 'weekly', time: '25:00' } }, keys.admin);
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((detail: { field: string }) => detail.field)).toEqual(['schedule.time']);
    const missingDay = await saveTemplate({ name: 'bad schedule', schedule: { enabled: true, frequency: 'weekly' } }, keys.admin);
    expect(missingDay.body.error.details).toEqual([{ field: 'schedule.day_of_week', problem: expect.stringContaining('is required') }]);
    expect(((await harness.dataSource.query(`SELECT count(*)::int AS n FROM export_templates`)) as Array<{ n: number }>)[0]?.n).toBe(before);
  });
});

import { DATA_SOURCE_TYPES, EXPORT_FORMATS } from '@export-service/contracts';
import { BOOLEAN, closedObject, COUNT, INSTANT, MEGABYTES, nullable, strictObject, TEXT } from '../../openapi/common.schemas';
import { ref, type ApiDocPart, type JsonSchema, type ParamDoc } from '../../openapi/route-doc';
import { CreateTemplateDto, TemplateDto } from './template.dto';

const TEMPLATE_ID_PARAM: ParamDoc = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The template id (`tpl_` and 32 hex digits).',
  schema: { type: 'string', pattern: '^tpl_[0-9a-f]{32}$' },
};

const SUMMARY_FIELDS: Record<string, JsonSchema> = {
  id: TEXT,
  name: TEXT,
  description: TEXT,
  data_sources: { type: 'array', items: { enum: [...DATA_SOURCE_TYPES] }, description: 'The data source types the template exports.' },
  format: { enum: [...EXPORT_FORMATS] },
  estimated_size_mb: nullable(MEGABYTES),
  estimated_rows: nullable(COUNT),
  estimated_at: nullable(INSTANT),
  last_used: nullable(INSTANT),
  created_by: { type: 'string', description: 'The name of the user who saved it.' },
  created_by_user_id: TEXT,
  is_public: BOOLEAN,
  created_at: INSTANT,
  updated_at: INSTANT,
};

/** Response schemas of the template routes (`template.presenter.ts` and the router's answers). */
export const TEMPLATE_SCHEMAS: Record<string, JsonSchema> = {
  TemplateSummary: closedObject(SUMMARY_FIELDS),
  TemplateDetail: closedObject({
    ...SUMMARY_FIELDS,
    configuration: { ...ref('ExportConfigurationDto'), description: 'The saved configuration; an `encryption.password` is sealed apart and never shown.' },
    has_password: { type: 'boolean', description: 'Whether the template holds an encryption password of its own.' },
  }),
  TemplateList: closedObject({ templates: { type: 'array', items: ref('TemplateSummary') } }),
  TemplateCreated: strictObject(['template_id', 'created', 'estimated_size_mb'], {
    template_id: TEXT,
    created: { const: true },
    estimated_size_mb: nullable(MEGABYTES),
    schedule_id: { type: 'string', description: 'With a `schedule` block: the schedule that runs the template.' },
    next_run: { ...nullable(INSTANT), description: 'With a `schedule` block: its first firing (null when created paused).' },
  }),
  TemplateDeleted: closedObject({ template_id: TEXT, deleted: { const: true } }),
};

/** /api/v1/export/templates: saved export configurations. */
export const TEMPLATE_DOCS: ApiDocPart = {
  schemas: TEMPLATE_SCHEMAS,
  routes: [
    {
      method: 'post',
      path: '/api/v1/export/templates',
      tag: 'templates',
      summary: 'Save an export configuration as a template',
      description:
        '`configuration` is the create body without `name`, checked exactly as a create is (catalog included: 422 naming the field). A `schedule` block also creates the schedule that runs it; that needs an admin key (403 otherwise).',
      auth: 'api_key',
      roles: ['admin', 'member'],
      body: CreateTemplateDto,
      responses: { 201: { description: 'Saved.', schema: ref('TemplateCreated') } },
      errors: [400, 401, 403, 413, 415, 422, 429],
    },
    {
      method: 'get',
      path: '/api/v1/export/templates',
      tag: 'templates',
      summary: 'Templates the caller may see, with their estimates',
      description:
        'Public templates of the workspace, and private ones of their creator (admins see all). Estimates older than TEMPLATE_ESTIMATE_MAX_AGE_SECONDS are taken again, all within one ESTIMATE_BUDGET_MS. Viewers see the public ones.',
      auth: 'api_key',
      responses: { 200: { description: 'The list, newest first.', schema: ref('TemplateList') } },
      errors: [401, 429],
    },
    {
      method: 'get',
      path: '/api/v1/export/templates/{id}',
      tag: 'templates',
      summary: 'One template with its configuration',
      description:
        'The configuration holds fields and filter values, which status does not show a viewer either: viewers are refused (403). A private template of someone else, or another workspace’s, answers 404.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      params: [TEMPLATE_ID_PARAM],
      responses: { 200: { description: 'The template.', schema: ref('TemplateDetail') } },
      errors: [401, 403, 404, 429],
    },
    {
      method: 'put',
      path: '/api/v1/export/templates/{id}',
      tag: 'templates',
      summary: 'Replace a template',
      description: 'Only its creator or an admin may change it (403 for other members). Its schedule is changed through /api/v1/export/scheduled.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      body: TemplateDto,
      params: [TEMPLATE_ID_PARAM],
      responses: { 200: { description: 'The template as saved.', schema: ref('TemplateDetail') } },
      errors: [400, 401, 403, 404, 413, 415, 422, 429],
    },
    {
      method: 'delete',
      path: '/api/v1/export/templates/{id}',
      tag: 'templates',
      summary: 'Delete a template',
      description: 'Only its creator or an admin may delete it; 409 while a schedule runs it (the details name the schedules). Its exports keep their lineage.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      params: [TEMPLATE_ID_PARAM],
      responses: { 200: { description: 'Deleted.', schema: ref('TemplateDeleted') } },
      errors: [401, 403, 404, 409, 429],
    },
  ],
};

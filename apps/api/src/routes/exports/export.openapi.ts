import { COMPRESSIONS, DATA_SOURCE_TYPES, DELETION_REASONS, EXPORT_FORMATS, EXPORT_ORIGINS, EXPORT_STATUSES } from '@export-service/contracts';
import { closedObject, COUNT, INSTANT, nullable, strictObject, TEXT } from '../../openapi/common.schemas';
import { JOB_ID_PARAM, ref, type ApiDocPart, type JsonSchema } from '../../openapi/route-doc';
import { ExportConfigDto } from './export.dto';

/** Response schemas of the export routes (the presenters' shapes; the flow test validates real answers against them). */
export const EXPORT_SCHEMAS: Record<string, JsonSchema> = {
  ExportCreated: strictObject(['job_id', 'status', 'estimated_size_mb', 'estimated_time_seconds', 'estimated_rows', 'tracking_url', 'notes'], {
    job_id: TEXT,
    status: { const: 'queued' },
    estimated_size_mb: { type: 'number', minimum: 0 },
    estimated_time_seconds: { type: 'number', minimum: 0 },
    estimated_rows: COUNT,
    tracking_url: TEXT,
    password: { type: 'string', description: 'The generated password, shown this once (encryption without a password of your own).' },
    password_notice: TEXT,
    notes: { type: 'array', items: TEXT },
  }),
  ExportProgress: closedObject({
    percentage: { type: 'number', minimum: 0, maximum: 100 },
    rows_processed: COUNT,
    total_rows: COUNT,
    current_table: nullable(TEXT),
    files_created: COUNT,
  }),
  ExportFile: closedObject({
    filename: TEXT,
    size_mb: { type: 'number', minimum: 0 },
    bytes: COUNT,
    rows: COUNT,
    download_url: TEXT,
    checksum: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
    data_source: nullable({ enum: [...DATA_SOURCE_TYPES] }),
    period: nullable(TEXT),
    part: nullable({ type: 'integer' }),
    format: { enum: [...EXPORT_FORMATS, 'manifest'] },
    compression: { enum: [...COMPRESSIONS] },
    encrypted: { type: 'boolean' },
  }),
  ExportLineage: closedObject({
    origin: { enum: [...EXPORT_ORIGINS] },
    template_id: nullable(TEXT),
    schedule_id: nullable(TEXT),
    batch_id: nullable(TEXT),
    source_job_id: nullable(TEXT),
  }),
  ExportStatus: closedObject({
    job_id: TEXT,
    status: { enum: [...EXPORT_STATUSES] },
    name: TEXT,
    format: { enum: [...EXPORT_FORMATS] },
    compression: { enum: [...COMPRESSIONS] },
    progress: ref('ExportProgress'),
    created_at: INSTANT,
    started_at: nullable(INSTANT),
    completed_at: nullable(INSTANT),
    files: nullable({ type: 'array', items: ref('ExportFile') }),
    error: nullable(TEXT),
    error_code: nullable(TEXT),
    last_error: nullable(TEXT),
    last_error_code: nullable(TEXT),
    attempts: COUNT,
    password_protected: { type: 'boolean' },
    encryption: closedObject({ enabled: { type: 'boolean' }, container: nullable({ enum: ['zip-aes', 'openpgp'] }) }),
    notes: { type: 'array', items: TEXT },
    expires_at: nullable(INSTANT),
    files_available: { type: 'boolean' },
    deleted_at: nullable(INSTANT),
    deletion_reason: nullable({ enum: [...DELETION_REASONS] }),
    lineage: ref('ExportLineage'),
  }),
  ExportDeleted: closedObject({ job_id: TEXT, deleted: { const: true }, files_removed: COUNT, space_freed_mb: { type: 'number', minimum: 0 } }),
};

const FILE_INDEX = {
  name: 'file_index',
  in: 'path' as const,
  required: true,
  description: 'Index of the file in the status answer (0 first).',
  schema: { type: 'integer', minimum: 0 },
};

/** POST create, GET status, GET download, DELETE. */
export const EXPORT_DOCS: ApiDocPart = {
  schemas: EXPORT_SCHEMAS,
  // `data_sources`, `format` and `name` may be left to a template (`template_id`); a template's configuration needs the first two.
  dtoRules: {
    ExportConfigDto: { anyOf: [{ required: ['template_id'] }, { required: ['name', 'data_sources', 'format'] }] },
    ExportConfigurationDto: { required: ['data_sources', 'format'] },
  },
  routes: [
    {
      method: 'post',
      path: '/api/v1/export/create',
      tag: 'exports',
      summary: 'Create an export job',
      description:
        'Validates the whole configuration (unknown fields, values, filters and columns answer 422 naming them), estimates rows, size and time, and queues the job. Viewers may not create exports.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      body: ExportConfigDto,
      responses: { 202: { description: 'Queued.', schema: ref('ExportCreated') } },
      errors: [400, 401, 403, 413, 415, 422, 429, 503],
    },
    {
      method: 'get',
      path: '/api/v1/export/status/{job_id}',
      tag: 'exports',
      summary: 'Status, progress and files of an export',
      description: "Members see their own exports; admins and viewers every export of their workspace. Another workspace's job answers 404.",
      auth: 'api_key',
      params: [JOB_ID_PARAM],
      responses: { 200: { description: 'The export.', schema: ref('ExportStatus') } },
      errors: [401, 404, 429],
    },
    {
      method: 'get',
      path: '/api/v1/export/download/{job_id}/{file_index}',
      tag: 'exports',
      summary: 'Download one file of a completed export',
      description: 'Streams the file with `X-Checksum`; `Range` and `If-Range` resume a broken download. Viewers may not download (files are the data itself).',
      auth: 'api_key',
      roles: ['admin', 'member'],
      params: [
        JOB_ID_PARAM,
        FILE_INDEX,
        { name: 'X-Export-Password', in: 'header', description: 'The password of a password-protected export (UTF-8).', schema: { type: 'string' } },
        { name: 'Range', in: 'header', description: 'One byte range, e.g. `bytes=1000-`.', schema: { type: 'string' } },
      ],
      responses: {
        200: {
          description: 'The whole file.',
          contentType: 'application/octet-stream',
          schema: { type: 'string', contentMediaType: 'application/octet-stream' },
          headers: {
            'X-Checksum': { description: 'sha256:<hex> of the whole file, as in the status answer.', schema: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } },
            'Content-Disposition': { description: 'attachment; filename="<filename>"', schema: { type: 'string' } },
            'Content-Length': { description: 'Bytes sent.', schema: { type: 'integer' } },
            ETag: { description: 'The checksum, for If-Range.', schema: { type: 'string' } },
          },
        },
        206: {
          description: 'The requested range (Content-Range says which).',
          contentType: 'application/octet-stream',
          schema: { type: 'string', contentMediaType: 'application/octet-stream' },
        },
      },
      errors: [400, 401, 403, 404, 410, 416, 422, 429],
    },
    {
      method: 'delete',
      path: '/api/v1/export/{job_id}',
      tag: 'exports',
      summary: "Delete an export's files",
      description: 'Removes the files from storage and answers what really went; the row stays (status shows the deletion), downloads answer 410. 409 while queued or running.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      params: [JOB_ID_PARAM],
      responses: { 200: { description: 'Deleted.', schema: ref('ExportDeleted') } },
      errors: [401, 403, 404, 409, 410, 429],
    },
  ],
};

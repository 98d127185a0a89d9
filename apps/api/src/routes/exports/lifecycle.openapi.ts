import { COLUMN_TYPES, DATA_SOURCE_TYPES, EXPORT_FORMATS, EXPORT_STATUSES } from '@export-service/contracts';
import { BOOLEAN, closedObject, COUNT, INSTANT, MEGABYTES, nullable, strictObject, TEXT } from '../../openapi/common.schemas';
import { JOB_ID_PARAM, ref, type ApiDocPart, type JsonSchema } from '../../openapi/route-doc';
import { EXPORT_SCHEMAS } from './export.openapi';
import { CleanupDto, ConvertDto, ExtendDto, VALIDATION_TYPES, ValidateDto } from './lifecycle.dto';

const NULLABLE_CHECK = nullable(BOOLEAN);
const PASSWORD_HEADER = {
  name: 'X-Export-Password',
  in: 'header' as const,
  description: 'The password of an encrypted export (UTF-8), when the body has no `password`.',
  schema: { type: 'string' },
};

const CHECKS = closedObject({ checksum_valid: NULLABLE_CHECK, schema_valid: NULLABLE_CHECK, row_count_match: NULLABLE_CHECK, no_corruption: NULLABLE_CHECK });

/** The report of a validation (inline, or the result of a validation job). */
const REPORT_FIELDS: Record<string, JsonSchema> = {
  job_id: TEXT,
  validation_type: { enum: [...VALIDATION_TYPES] },
  valid: BOOLEAN,
  checks: { ...CHECKS, description: 'Each check over every file; null when the validation type does not run it.' },
  files: { type: 'array', items: ref('ValidationFileFinding') },
  sample_data: nullable({
    type: 'array',
    items: closedObject({ filename: TEXT, data_source: { enum: [...DATA_SOURCE_TYPES] }, rows: { type: 'array', items: { type: 'object' } } }),
  }),
};

/** Response schemas of convert, metadata, validate, cancel, extend and cleanup (`lifecycle.presenter.ts`, `validate-export.ts`). */
export const LIFECYCLE_SCHEMAS: Record<string, JsonSchema> = {
  ConversionCreated: strictObject(['conversion_job_id', 'job_id', 'status', 'source_job_id', 'target_format', 'estimated_rows', 'tracking_url', 'notes'], {
    conversion_job_id: TEXT,
    job_id: { type: 'string', description: 'The same id: the conversion is an export of its own (status, download, metadata).' },
    status: { const: 'queued' },
    source_job_id: TEXT,
    target_format: { enum: [...EXPORT_FORMATS] },
    estimated_rows: COUNT,
    tracking_url: TEXT,
    password: (EXPORT_SCHEMAS.ExportCreated as { properties: Record<string, JsonSchema> }).properties.password as JsonSchema,
    password_notice: TEXT,
    notes: { type: 'array', items: TEXT },
  }),
  MetadataColumn: strictObject(['name', 'type', 'logical_type', 'nullable'], {
    name: TEXT,
    type: { type: 'string', description: 'SQL spelling: `UUID`, `VARCHAR`, `DECIMAL(14,4)`, `TIMESTAMP`...' },
    logical_type: { enum: [...COLUMN_TYPES] },
    nullable: BOOLEAN,
    precision: COUNT,
    scale: COUNT,
  }),
  ValueProfile: closedObject({
    rows: COUNT,
    time_range: closedObject({ column: TEXT, start: nullable(TEXT), end: nullable(TEXT) }),
    json_lengths_measured: { type: 'boolean', description: 'False when the lengths of json texts were not measured (exports skip them).' },
    columns: {
      type: 'array',
      items: strictObject(['name', 'nulls'], {
        name: TEXT,
        nulls: COUNT,
        max_chars: nullable(COUNT),
        min: nullable(TEXT),
        max: nullable(TEXT),
        first_sub_millisecond: nullable(TEXT),
        first_beyond_15_digits: nullable(TEXT),
        first_non_finite: nullable(TEXT),
      }),
    },
  }),
  MetadataDownload: closedObject({
    at: INSTANT,
    user_id: nullable(TEXT),
    api_key_hint: nullable(TEXT),
    via: { enum: ['api', 'signed_link'] },
    ip: nullable(TEXT),
    range: { ...nullable(TEXT), description: '`bytes=start-end` for a range request.' },
    bytes_sent: COUNT,
    complete: BOOLEAN,
  }),
  ExportMetadata: closedObject({
    job_id: TEXT,
    status: { enum: [...EXPORT_STATUSES] },
    metadata: closedObject({
      schema: closedObject({
        tables: {
          type: 'array',
          items: closedObject({
            name: TEXT,
            data_source: { enum: [...DATA_SOURCE_TYPES] },
            aggregation: nullable(TEXT),
            columns: { type: 'array', items: ref('MetadataColumn') },
            row_count: COUNT,
            files: { type: 'array', items: TEXT },
            filters_applied: { type: 'array', items: TEXT },
            value_profile: { ...nullable(ref('ValueProfile')), description: 'What the export recorded about the values (null for exports from before profiles).' },
          }),
        },
      }),
      statistics: closedObject({
        total_rows: COUNT,
        total_columns: COUNT,
        total_files: COUNT,
        total_size_mb: MEGABYTES,
        date_range: nullable(strictObject(['start', 'end'], { start: TEXT, end: nullable(TEXT) })),
      }),
      lineage: closedObject({
        source_database: nullable(TEXT),
        export_timestamp: INSTANT,
        filters_applied: { type: 'array', items: TEXT },
        ...(EXPORT_SCHEMAS.ExportLineage as { properties: Record<string, JsonSchema> }).properties,
      }),
      files: {
        type: 'array',
        items: closedObject({
          file_index: COUNT,
          filename: TEXT,
          data_source: nullable({ enum: [...DATA_SOURCE_TYPES] }),
          rows: COUNT,
          bytes: COUNT,
          checksum: { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' },
          download_count: COUNT,
          downloads: { type: 'array', items: ref('MetadataDownload'), description: 'The latest 100 downloads of the file, oldest first.' },
        }),
      },
    }),
  }),
  ValidationFileFinding: closedObject({
    file_index: COUNT,
    filename: TEXT,
    exists: BOOLEAN,
    checksum_valid: NULLABLE_CHECK,
    schema_valid: NULLABLE_CHECK,
    rows_expected: COUNT,
    rows_found: nullable(COUNT),
    row_count_match: NULLABLE_CHECK,
    no_corruption: NULLABLE_CHECK,
    problems: { type: 'array', items: TEXT },
  }),
  ValidationReport: closedObject(REPORT_FIELDS),
  ValidationQueued: closedObject({ validation_id: TEXT, job_id: TEXT, status: { const: 'queued' }, status_url: TEXT }),
  ValidationStatus: strictObject(['validation_id', 'job_id', 'status', 'validation_type', 'error'], {
    validation_id: TEXT,
    status: { enum: ['queued', 'processing', 'completed', 'failed'] },
    ...REPORT_FIELDS,
    error: { ...nullable(TEXT), description: 'Why a failed validation could not run to its end.' },
  }),
  ExportCancelled: closedObject({ job_id: TEXT, status: { const: 'cancelled' }, previous_status: { enum: ['queued', 'processing'] }, cancelled_at: nullable(INSTANT) }),
  ExportExtended: closedObject({ job_id: TEXT, expires_at: INSTANT, previous_expires_at: nullable(INSTANT) }),
  CleanupResult: closedObject({
    exports_deleted: COUNT,
    space_freed_gb: { type: 'number', minimum: 0 },
    dry_run: BOOLEAN,
    files_removed: COUNT,
    space_freed_mb: MEGABYTES,
    kept_scheduled: { ...COUNT, description: 'Old exports kept because a schedule made them (`keep_scheduled`).' },
    skipped_unfinished: { ...COUNT, description: 'Old exports still queued or running, left alone.' },
    has_more: { type: 'boolean', description: 'More exports matched than one call handles (500): call again.' },
    exports: {
      type: 'array',
      items: closedObject({ job_id: TEXT, name: TEXT, status: { enum: [...EXPORT_STATUSES] }, created_at: INSTANT, schedule_id: nullable(TEXT), size_mb: MEGABYTES }),
    },
  }),
};

const VIEWERS_NOT = 'Viewers are refused (403): metadata shows what status does not (filter values, values from the rows, who downloaded a file from where).';

/** After the export: convert, metadata, validate, cancel, extend, cleanup. */
export const LIFECYCLE_DOCS: ApiDocPart = {
  schemas: LIFECYCLE_SCHEMAS,
  routes: [
    {
      method: 'post',
      path: '/api/v1/export/convert',
      tag: 'exports',
      summary: 'Convert a completed export into another format',
      description:
        'A new export (lineage `conversion`) whose status, download and metadata work as any export’s. An encrypted source needs its password (`password` or X-Export-Password; 401, then 429 after repeated failures). Values the target cannot hold answer 422 naming them; a source still running 409, deleted or expired 410.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      body: ConvertDto,
      params: [PASSWORD_HEADER],
      responses: { 202: { description: 'Queued.', schema: ref('ConversionCreated') } },
      errors: [400, 401, 403, 404, 409, 410, 413, 415, 422, 429],
    },
    {
      method: 'get',
      path: '/api/v1/export/metadata/{job_id}',
      tag: 'exports',
      summary: 'Schema, statistics, lineage and download log of an export',
      description: `Members see their own exports, admins every export of the workspace. ${VIEWERS_NOT}`,
      auth: 'api_key',
      roles: ['admin', 'member'],
      params: [JOB_ID_PARAM],
      responses: { 200: { description: 'The metadata.', schema: ref('ExportMetadata') } },
      errors: [401, 403, 404, 429],
    },
    {
      method: 'post',
      path: '/api/v1/export/validate',
      tag: 'exports',
      summary: 'Check a completed export’s files against what it recorded',
      description:
        '`checksum` (SHA-256 from storage), `schema` (also each file’s header or schema), `full` (also every file decrypted, decompressed and parsed into its types, rows counted). Findings are per file; a missing or altered file is a finding, not an error. Exports larger than VALIDATE_INLINE_MAX_MB are validated as a job (202). Viewers are refused: sample rows are the data.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      body: ValidateDto,
      params: [PASSWORD_HEADER],
      responses: {
        200: { description: 'Validated within the request.', schema: ref('ValidationReport') },
        202: { description: 'Validated as a job: poll `status_url`.', schema: ref('ValidationQueued') },
      },
      errors: [400, 401, 403, 404, 409, 410, 413, 415, 422, 429],
    },
    {
      method: 'get',
      path: '/api/v1/export/validate/{validation_id}',
      tag: 'exports',
      summary: 'A validation job and, once completed, its report',
      description: 'Members see the validations they asked for, admins those of the workspace. Viewers are refused: sample rows are the data.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      params: [
        {
          name: 'validation_id',
          in: 'path',
          required: true,
          description: 'The id from the 202 answer (`val_` and 32 hex digits).',
          schema: { type: 'string', pattern: '^val_[0-9a-f]{32}$' },
        },
      ],
      responses: { 200: { description: 'The validation.', schema: ref('ValidationStatus') } },
      errors: [401, 403, 404, 429],
    },
    {
      method: 'post',
      path: '/api/v1/export/cleanup',
      tag: 'exports',
      summary: 'Delete the workspace’s old exports (admins)',
      description:
        'Exports created more than `older_than_days` ago, 500 a call (`has_more`), keeping scheduled ones unless `keep_scheduled: false`; `dry_run` lists them and changes nothing.',
      auth: 'api_key',
      roles: ['admin'],
      body: CleanupDto,
      responses: { 200: { description: 'What went (or would go).', schema: ref('CleanupResult') } },
      errors: [400, 401, 403, 413, 415, 422, 429],
    },
    {
      method: 'post',
      path: '/api/v1/export/{job_id}/cancel',
      tag: 'exports',
      summary: 'Cancel a queued or running export',
      description:
        'A queued export leaves the queue at once; a running one stops within seconds on whichever worker runs it, its partial files removed. Open progress streams end with their `done` event. A finished export answers 409, a deleted one 410.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      params: [JOB_ID_PARAM],
      responses: { 200: { description: 'Cancelled.', schema: ref('ExportCancelled') } },
      errors: [401, 403, 404, 409, 410, 429],
    },
    {
      method: 'post',
      path: '/api/v1/export/{job_id}/extend',
      tag: 'exports',
      summary: 'Keep an export’s files longer',
      description: 'Moves `expires_at` by `days` (from now once it has passed), at most 3,650 days after the export was created (422 past that); 410 once deleted.',
      auth: 'api_key',
      roles: ['admin', 'member'],
      body: ExtendDto,
      params: [JOB_ID_PARAM],
      responses: { 200: { description: 'The new expiry.', schema: ref('ExportExtended') } },
      errors: [400, 401, 403, 404, 410, 413, 415, 422, 429],
    },
  ],
};

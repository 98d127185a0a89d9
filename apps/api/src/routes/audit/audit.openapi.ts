import { INSTANT, nullable } from '../../openapi/common.schemas';
import { ref, type ApiDocPart } from '../../openapi/route-doc';

const TEXT = { type: 'string' };

/** GET /audit (admins). */
export const AUDIT_DOCS: ApiDocPart = {
  schemas: {
    AuditEntry: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'action', 'outcome', 'target_type', 'target_id', 'user_id', 'api_key_hint', 'ip', 'user_agent', 'details', 'created_at'],
      properties: {
        id: TEXT,
        action: TEXT,
        outcome: TEXT,
        target_type: TEXT,
        target_id: nullable(TEXT),
        user_id: nullable(TEXT),
        api_key_hint: nullable(TEXT),
        ip: nullable(TEXT),
        user_agent: nullable(TEXT),
        details: nullable({ type: 'object' }),
        created_at: INSTANT,
      },
    },
    AuditPage: {
      type: 'object',
      additionalProperties: false,
      required: ['entries', 'next_before'],
      properties: { entries: { type: 'array', items: ref('AuditEntry') }, next_before: nullable(TEXT) },
    },
  },
  routes: [
    {
      method: 'get',
      path: '/api/v1/audit',
      tag: 'audit',
      summary: "The workspace's audit trail, newest first",
      auth: 'api_key',
      roles: ['admin'],
      params: [
        { name: 'limit', in: 'query', description: 'Entries per page (1-500, 50 by default).', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        { name: 'before', in: 'query', description: 'Entries older than this id (`next_before` of the previous page).', schema: { type: 'string', pattern: '^\\d{1,18}$' } },
      ],
      responses: { 200: { description: 'A page of entries.', schema: ref('AuditPage') } },
      errors: [401, 403, 422, 429],
    },
  ],
};

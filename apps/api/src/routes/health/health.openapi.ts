import type { ApiDocPart } from '../../openapi/route-doc';

const CHECK = { enum: ['ok', 'unavailable'] };

/** /healthz and /readyz. */
export const HEALTH_DOCS: ApiDocPart = {
  schemas: {
    Readiness: {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'checks'],
      properties: {
        status: { enum: ['ready', 'not_ready'] },
        checks: { type: 'object', additionalProperties: false, required: ['database', 'redis'], properties: { database: CHECK, redis: CHECK } },
      },
    },
  },
  routes: [
    {
      method: 'get',
      path: '/healthz',
      tag: 'operations',
      summary: 'Liveness: the process answers',
      auth: 'none',
      responses: { 200: { description: 'Alive.', schema: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { const: 'ok' } } } } },
      errors: [],
    },
    {
      method: 'get',
      path: '/readyz',
      tag: 'operations',
      summary: 'Readiness: PostgreSQL and Redis answer',
      auth: 'none',
      responses: {
        200: { description: 'Ready.', schema: { $ref: '#/components/schemas/Readiness' } },
        503: { description: 'A dependency is down.', schema: { $ref: '#/components/schemas/Readiness' } },
      },
      errors: [],
    },
  ],
};

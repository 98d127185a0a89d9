import { CREDENTIAL_KINDS } from '@export-service/db';
import { INSTANT } from '../../openapi/common.schemas';
import { ref, type ApiDocPart } from '../../openapi/route-doc';
import { CredentialDto } from './credential.dto';

/** POST/GET/DELETE /credentials (admins). */
export const CREDENTIAL_DOCS: ApiDocPart = {
  schemas: {
    Credential: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'name', 'kind', 'config', 'secret_fields', 'created_at'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        name: { type: 'string' },
        kind: { enum: [...CREDENTIAL_KINDS] },
        config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        secret_fields: { type: 'array', items: { type: 'string' }, description: 'Names of the sealed secret fields (on create only; the values are never answered).' },
        created_at: INSTANT,
      },
    },
  },
  routes: [
    {
      method: 'post',
      path: '/api/v1/credentials',
      tag: 'credentials',
      summary: 'Store a delivery credential (the secret is sealed and never returned)',
      auth: 'api_key',
      roles: ['admin'],
      body: CredentialDto,
      responses: { 201: { description: 'Stored.', schema: ref('Credential') } },
      errors: [400, 401, 403, 409, 413, 415, 422, 429],
    },
    {
      method: 'get',
      path: '/api/v1/credentials',
      tag: 'credentials',
      summary: "The workspace's credentials, without secrets",
      auth: 'api_key',
      roles: ['admin'],
      responses: {
        200: {
          description: 'The list.',
          schema: { type: 'object', additionalProperties: false, required: ['credentials'], properties: { credentials: { type: 'array', items: ref('Credential') } } },
        },
      },
      errors: [401, 403, 429],
    },
    {
      method: 'delete',
      path: '/api/v1/credentials/{id}',
      tag: 'credentials',
      summary: 'Delete a credential',
      auth: 'api_key',
      roles: ['admin'],
      params: [{ name: 'id', in: 'path', required: true, description: 'The credential id.', schema: { type: 'string', format: 'uuid' } }],
      responses: {
        200: {
          description: 'Deleted.',
          schema: { type: 'object', additionalProperties: false, required: ['id', 'deleted'], properties: { id: { type: 'string' }, deleted: { const: true } } },
        },
      },
      errors: [401, 403, 404, 429],
    },
  ],
};

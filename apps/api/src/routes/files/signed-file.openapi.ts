import type { ApiDocPart } from '../../openapi/route-doc';

/** GET /files/{key} (signed links). */
export const SIGNED_FILE_DOCS: ApiDocPart = {
  routes: [
    {
      method: 'get',
      path: '/api/v1/files/{key}',
      tag: 'files',
      summary: 'A stored file through a signed link (no API key)',
      description: 'What the local store hands out as S3 hands out presigned URLs. Protected exports still ask for `X-Export-Password`.',
      auth: 'signed_link',
      params: [
        { name: 'key', in: 'path', required: true, spansSlashes: true, description: 'The storage key.', schema: { type: 'string' } },
        { name: 'expires', in: 'query', required: true, description: 'Unix time the link expires at.', schema: { type: 'string' } },
        { name: 'signature', in: 'query', required: true, description: 'HMAC of key and expiry.', schema: { type: 'string' } },
        { name: 'X-Export-Password', in: 'header', description: 'The password of a protected export.', schema: { type: 'string' } },
      ],
      responses: {
        200: { description: 'The file, with X-Checksum.', contentType: 'application/octet-stream', schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
        206: { description: 'The requested range.', contentType: 'application/octet-stream', schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
      },
      errors: [401, 403, 410, 416, 429],
    },
  ],
};

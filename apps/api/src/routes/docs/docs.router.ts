import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { ApiDocPart, JsonSchema } from '../../openapi/route-doc';

/** Where the interactive docs live. */
export const DOCS_PATH = '/docs';
export const OPENAPI_PATH = '/api/v1/openapi.json';

/**
 * The OpenAPI document at /api/v1/openapi.json and Swagger UI at /docs, its assets served from the
 * installed swagger-ui-dist (no CDN; the online validator badge is off). Both are public: they
 * describe the API, they hold no data.
 */
export function docsRouter(document: JsonSchema): Router {
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => void res.json(document));
  router.use(DOCS_PATH, swaggerUi.serve, swaggerUi.setup(undefined, { customSiteTitle: 'Analytics data export API', swaggerOptions: { url: OPENAPI_PATH, validatorUrl: null } }));
  return router;
}

/** The document's own entries. */
export const DOCS_DOCS: ApiDocPart = {
  opaqueMounts: [DOCS_PATH],
  routes: [
    {
      method: 'get',
      path: OPENAPI_PATH,
      tag: 'operations',
      summary: 'This OpenAPI 3.1 document',
      auth: 'none',
      responses: { 200: { description: 'The document.', schema: { type: 'object', required: ['openapi', 'paths'] } } },
      errors: [429],
    },
    {
      method: 'get',
      path: DOCS_PATH,
      tag: 'operations',
      summary: 'Interactive API docs (Swagger UI)',
      auth: 'none',
      responses: { 200: { description: 'An HTML page.', contentType: 'text/html', schema: { type: 'string' } } },
      errors: [],
    },
  ],
};

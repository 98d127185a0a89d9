import { STATUS_CODES } from 'node:http';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { ROLES } from '@export-service/contracts';
import { COMMON_SCHEMAS } from './common.schemas';
import { ref, type ApiDocPart, type JsonSchema, type RouteAuth, type RouteDoc } from './route-doc';

/** The security requirement of each kind of auth (signed links and open routes have none). */
const SECURITY: Record<RouteAuth, Array<Record<string, string[]>>> = {
  api_key: [{ apiKey: [] }],
  dashboard: [{ apiKey: [] }, { dashboardSession: [] }],
  metrics_token: [{ metricsToken: [] }, {}],
  signed_link: [],
  none: [],
};

const SECURITY_SCHEMES = {
  apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer dxk_...` (`npm run cli -- create-api-key`).' },
  dashboardSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'export_admin_session',
    description:
      'The signed session cookie the Bull Board login form sets (HttpOnly, SameSite=Strict). Changing requests also need `X-XSRF-TOKEN` equal to the `XSRF-TOKEN` cookie.',
  },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when it is set (otherwise /metrics is open).' },
};

/**
 * The request-body schemas, generated from the class-validator DTOs the API validates with (every
 * decorated class loaded, nested ones by `$ref`). The API refuses unknown fields, so the schemas do too.
 */
export function dtoSchemas(): Record<string, JsonSchema> {
  const schemas = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/', classTransformerMetadataStorage: defaultMetadataStorage }) as Record<
    string,
    JsonSchema
  >;
  for (const schema of Object.values(schemas)) {
    schema.additionalProperties = false;
    dropDanglingRefs(schema, schemas);
  }
  return schemas;
}

/** A nested array of DTOs reflects as `Array`, which the generator turns into a `$ref` to no schema; its `items` already say it all. */
function dropDanglingRefs(schema: unknown, schemas: Record<string, JsonSchema>): void {
  if (schema === null || typeof schema !== 'object') return;
  const node = schema as JsonSchema;
  const target = typeof node.$ref === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(node.$ref)?.[1] : undefined;
  if (target !== undefined && !(target in schemas)) delete node.$ref;
  for (const child of Object.values(node)) dropDanglingRefs(child, schemas);
}

function operationOf(route: RouteDoc): JsonSchema {
  const roles = route.roles ?? ROLES;
  const responses: Record<string, JsonSchema> = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    responses[status] = {
      description: answer.description,
      ...(answer.headers ? { headers: answer.headers } : {}),
      ...(answer.schema ? { content: { [answer.contentType ?? 'application/json']: { schema: answer.schema } } } : {}),
    };
  }
  for (const status of route.errors) responses[String(status)] = { description: STATUS_CODES[status] ?? 'Error', content: { 'application/json': { schema: ref('Error') } } };
  const body = route.body
    ? { required: true, content: { 'application/json': { schema: ref(route.body.name) } } }
    : route.rawBody
      ? { required: true, content: { [route.rawBody.contentType]: { schema: route.rawBody.schema } } }
      : undefined;
  const roleNote = route.auth === 'api_key' || route.auth === 'dashboard' ? `\n\nRoles: ${roles.join(', ')}.` : '';
  return {
    operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => (next ? next.toUpperCase() : ''))}`,
    tags: [route.tag],
    summary: route.summary,
    description: `${route.description ?? route.summary}${roleNote}`,
    security: SECURITY[route.auth],
    'x-roles': route.auth === 'api_key' || route.auth === 'dashboard' ? [...roles] : undefined,
    ...(route.params
      ? { parameters: route.params.map(({ spansSlashes: _spans, ...param }) => ({ ...param, required: param.in === 'path' ? true : (param.required ?? false) })) }
      : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every documented route. */
export function buildOpenApiDocument(parts: readonly ApiDocPart[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const schemas: Record<string, JsonSchema> = { ...COMMON_SCHEMAS, ...dtoSchemas() };
  for (const part of parts) {
    Object.assign(schemas, part.schemas ?? {});
    for (const [name, rule] of Object.entries(part.dtoRules ?? {})) {
      if (!schemas[name]) throw new Error(`a rule for ${name}, which is no DTO`);
      Object.assign(schemas[name], rule);
    }
    for (const route of part.routes) {
      const item = (paths[route.path] ??= {});
      if (item[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is documented twice`);
      item[route.method] = JSON.parse(JSON.stringify(operationOf(route))) as JsonSchema;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Analytics data export API',
      version,
      description:
        'Exports analytics data as CSV, JSON, JSON Lines, Excel or Parquet files (compressed, split, encrypted, checksummed). Every error answers `{"error": {"code", "message", "details": [{field, problem}]}}`.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'exports' },
      { name: 'templates', description: 'Saved export configurations.' },
      { name: 'schedules', description: 'Templates run once per period, their runs and backfills.' },
      { name: 'files' },
      { name: 'audit' },
      { name: 'credentials' },
      { name: 'delivery', description: 'Workspace delivery settings: email domains and the webhook signing secret.' },
      { name: 'operations', description: 'Health, metrics, the Bull Board dashboard and these docs.' },
    ],
    paths,
    components: { schemas, securitySchemes: SECURITY_SCHEMES },
  };
}

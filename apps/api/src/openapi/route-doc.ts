import type { ClassConstructor } from 'class-transformer';
import type { Role } from '@export-service/contracts';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = Record<string, unknown>;

/** HTTP methods a route may answer. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * How a route is authorised: an API key (`Authorization: Bearer`), a signed link, the dashboard's
 * key or session cookie, the metrics token (when METRICS_TOKEN is set), or nothing.
 */
export type RouteAuth = 'api_key' | 'signed_link' | 'dashboard' | 'metrics_token' | 'none';

/** One parameter of a route. */
export interface ParamDoc {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  required?: boolean;
  schema: JsonSchema;
  /** A path parameter that may hold slashes (Express's `*name`). */
  spansSlashes?: boolean;
}

/** One answer of a route: its schema (JSON unless `contentType` says otherwise) and headers. */
export interface ResponseDoc {
  description: string;
  schema?: JsonSchema;
  contentType?: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

/**
 * Everything the OpenAPI document says about one route. Each router keeps its table beside it (a
 * `<resource>.openapi.ts`), and `documented-routes.ts` lists the tables; a test walks the Express
 * router and fails on any route no table describes.
 */
export interface RouteDoc {
  method: HttpMethod;
  /** The full path in OpenAPI form: `/api/v1/export/status/{job_id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  auth: RouteAuth;
  /** Roles an API key (or dashboard session) must have; every role when omitted. */
  roles?: readonly Role[];
  /** The class-validator DTO the body is validated with (its schema is generated from it). */
  body?: ClassConstructor<object>;
  /** A body that is not a DTO (a form). */
  rawBody?: { contentType: string; schema: JsonSchema };
  params?: ParamDoc[];
  /** Answers other than errors, by status. */
  responses: Record<number, ResponseDoc>;
  /** Error statuses this route may answer, each with the `{error: {code, message, details}}` body. */
  errors: number[];
}

/** A router's contribution to the document: its routes, the response schemas they name, and mounts whose inside it does not list. */
export interface ApiDocPart {
  routes: RouteDoc[];
  schemas?: Record<string, JsonSchema>;
  /** Mount paths of third-party routers (Bull Board, Swagger UI's assets), documented by their entry routes only. */
  opaqueMounts?: string[];
  /** Rules the generated schema of a DTO cannot express (fields required unless another is given), merged into it by class name. */
  dtoRules?: Record<string, JsonSchema>;
}

/** A reference to a schema under `components.schemas`. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/** The `{job_id}` path parameter shared by the export routes. */
export const JOB_ID_PARAM: ParamDoc = {
  name: 'job_id',
  in: 'path',
  required: true,
  description: 'The export job id (`job_` and 32 hex digits).',
  schema: { type: 'string', pattern: '^job_[0-9a-f]{32}$' },
};

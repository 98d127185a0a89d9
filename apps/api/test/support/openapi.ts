import { readFileSync } from 'node:fs';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';

/** A served route: method and path in OpenAPI form (`/api/v1/export/status/{job_id}`). */
export interface ServedRoute {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Express's `:name` and `*name` as OpenAPI's `{name}`; no trailing slash. */
function openApiPath(path: string): string {
  const converted = path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');
  return converted.length > 1 ? converted.replace(/\/+$/, '') : converted;
}

/**
 * Every route the app serves, found by walking Express's router (mounts and routes), except inside
 * `opaque` mounts (Bull Board, Swagger UI), whose own routes are not part of the API's document.
 */
export function servedRoutes(app: Express, opaque: string[]): ServedRoute[] {
  const found: ServedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of ([] as string[]).concat(layer.route.path)) {
          for (const [method, isOn] of Object.entries(layer.route.methods)) {
            if (isOn && method !== '_all') found.push({ method, path: openApiPath(`${prefix}${path}`) });
          }
        }
        continue;
      }
      const nested = layer.handle?.stack;
      if (!nested) continue;
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      const here = `${prefix}${mount}`;
      if (opaque.includes(here)) continue;
      walk(nested, here);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

type Document = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

/** Validates real answers against the document's response schemas. */
export class DocumentedResponses {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly document: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'doc', components: document.components });
  }

  /** The schema errors of `body` as the answer `status` of `method path` (empty when it matches). */
  problems(method: string, path: string, status: number, body: unknown): string[] {
    const key = `${method} ${path} ${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const answer = this.document.paths[path]?.[method]?.responses[String(status)];
      if (!answer) return [`${key} is not documented`];
      const schema = answer.content?.['application/json']?.schema;
      if (!schema) return [`${key} documents no JSON body`];
      validate = this.ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')));
      this.cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${key}: ${error.instancePath || '(root)'} ${error.message} ${JSON.stringify(error.params)}`);
  }

  /** Throws when `value` does not match the component schema `name` (e.g. the data of an event). */
  expectComponent(name: string, value: unknown): void {
    const validate = this.ajv.getSchema(`doc#/components/schemas/${name}`);
    if (!validate) throw new Error(`no component schema ${name}`);
    if (!validate(value)) throw new Error(`does not match ${name}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value)}`);
  }

  /** Throws with every mismatch when `body` does not match the documented schema. */
  expectMatches(method: string, path: string, status: number, body: unknown): void {
    const found = this.problems(method, path, status, body);
    if (found.length > 0) throw new Error(`the answer does not match the OpenAPI document:\n${found.join('\n')}\n${JSON.stringify(body, null, 1)}`);
  }
}

/** The OpenAPI 3.1 meta-schema (shipped by @seriousme/openapi-schema-validator). */
export function openApi31Schema(): Record<string, unknown> {
  return JSON.parse(readFileSync(require.resolve('@seriousme/openapi-schema-validator/schemas/v3.1/schema.json'), 'utf8')) as Record<string, unknown>;
}

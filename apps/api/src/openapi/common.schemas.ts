import type { JsonSchema } from './route-doc';

/** Schemas every part of the document uses: the error body, nullable helpers. */
export const COMMON_SCHEMAS: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    description: 'Every error answer: a machine code, a sentence for people, and the fields at fault.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', description: 'Stable machine-readable code, e.g. `validation_failed`, `not_found`.' },
          message: { type: 'string' },
          details: {
            type: 'array',
            items: { type: 'object', required: ['field', 'problem'], additionalProperties: false, properties: { field: { type: 'string' }, problem: { type: 'string' } } },
          },
        },
      },
    },
  },
};

/** A value or null. */
export function nullable(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, { type: 'null' }] };
}

/** An ISO-8601 instant. */
export const INSTANT: JsonSchema = { type: 'string', format: 'date-time' };

/** A JSON object with exactly these properties (unknown fields refused), of which `required` must be there. */
export function strictObject(required: string[], properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', required, additionalProperties: false, properties };
}

/** A JSON object with exactly these properties, every one of them present. */
export function closedObject(properties: Record<string, JsonSchema>): JsonSchema {
  return strictObject(Object.keys(properties), properties);
}

export const TEXT: JsonSchema = { type: 'string' };
export const COUNT: JsonSchema = { type: 'integer', minimum: 0 };
export const BOOLEAN: JsonSchema = { type: 'boolean' };
export const MEGABYTES: JsonSchema = { type: 'number', minimum: 0 };

import express, { type RequestHandler } from 'express';
import { errors } from '@export-service/errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Where a forbidden key sits in a parsed body, or null. */
function findForbiddenKey(value: unknown, path: string, depth = 0): string | null {
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Strict JSON bodies: objects and arrays only, at most `limitBytes`, sent as application/json,
 * and free of prototype-pollution keys (refused with 422 naming where they were).
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is('application/json')) return next(errors.unsupportedMediaType());
    next();
  };
  const refusePollution: RequestHandler = (req, _res, next) => {
    const found = findForbiddenKey(req.body, '');
    if (found) return next(errors.validation([{ field: found, problem: 'is not an allowed key' }]));
    next();
  };
  return [requireJson, express.json({ limit: limitBytes, strict: true, type: 'application/json' }), refusePollution];
}

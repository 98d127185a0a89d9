import express, { type RequestHandler } from 'express';
import { errors, type ErrorDetail } from '@export-service/errors';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper bodies are refused before any library walks them (class-transformer recurses). */
const MAX_DEPTH = 16;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it holds a lone surrogate)';
  return null;
}

/** The first thing in a parsed body no handler should see: too deep, a pollution key, NUL, broken Unicode. */
export function inspectBody(value: unknown, path = '', depth = 0): ErrorDetail | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { field: path || 'body', problem } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return { field: path || 'body', problem: `nests deeper than ${MAX_DEPTH} levels` };
  for (const key of Object.keys(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return { field: here, problem: 'is not an allowed key' };
    const keyProblem = textProblem(key);
    if (keyProblem) return { field: here, problem: `key ${keyProblem}` };
    const found = inspectBody((value as Record<string, unknown>)[key], here, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Strict JSON bodies: objects and arrays only, at most `limitBytes`, sent as uncompressed
 * application/json, at most 16 levels deep, and free of prototype-pollution keys, NUL characters
 * and lone surrogates (each refused with 422 naming where it was).
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is('application/json')) return next(errors.unsupportedMediaType());
    next();
  };
  const inspect: RequestHandler = (req, _res, next) => {
    const found = inspectBody(req.body);
    next(found ? errors.validation([found]) : undefined);
  };
  return [requireJson, express.json({ limit: limitBytes, strict: true, type: 'application/json', inflate: false }), inspect];
}

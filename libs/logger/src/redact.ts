const SECRET_KEY_PATTERN = /pass(word|phrase)?|secret|token|authorization|api[-_]?key|credential|cookie|private[-_]?key/i;
/** Secret shapes inside free text, each with its masked replacement. */
const SECRET_TEXT_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\bdxk_[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/(x-export-password["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, '$1[redacted]'],
  // A URL's password runs to the last `@` before white space: it may itself hold `@`, `#`, `/` or `?`.
  [/(\/\/[^:/\s@]*:)\S*@/g, '$1[redacted]@'],
];

/** Marker written in place of a secret. */
export const REDACTED = '[redacted]';

/** Masks secrets inside free text: bearer tokens, API keys, passwords in URLs. */
export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_TEXT_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** Returns a copy of a log record with secret-looking fields masked, however deep they sit. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message), stack: value.stack ? redactText(value.stack) : undefined };
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      copy[key] = SECRET_KEY_PATTERN.test(key) && child !== null && child !== undefined && typeof child !== 'boolean' ? REDACTED : redactValue(child, depth + 1);
    }
    return copy;
  }
  return value;
}

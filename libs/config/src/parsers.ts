/** A rule that turns one raw environment value into a typed one, or explains why it cannot. */
export interface EnvRule<T> {
  /** Value used when the variable is unset or empty; `undefined` makes it required. */
  readonly fallback: T | undefined;
  /** Documentation of the variable; the README's configuration table is generated from it. */
  readonly doc: string;
  parse(raw: string): T;
}

/** Thrown by a parser with the reason a value was rejected. */
export class EnvValueError extends Error {}

/** A whole number within bounds. */
export function integer(fallback: number | undefined, min: number, max: number, doc: string): EnvRule<number> {
  return {
    fallback,
    doc,
    parse(raw) {
      if (!/^-?\d+$/.test(raw)) throw new EnvValueError(`must be a whole number`);
      const value = Number(raw);
      if (value < min || value > max) throw new EnvValueError(`must be between ${min} and ${max}`);
      return value;
    },
  };
}

/** Free text (trimmed). */
export function text(fallback: string | undefined, doc: string): EnvRule<string> {
  return { fallback, doc, parse: (raw) => raw.trim() };
}

/** One of a fixed set of values. */
export function oneOf<T extends string>(values: readonly T[], fallback: T, doc: string): EnvRule<T> {
  return {
    fallback,
    doc,
    parse(raw) {
      if (!(values as readonly string[]).includes(raw)) throw new EnvValueError(`must be one of ${values.join(', ')}`);
      return raw as T;
    },
  };
}

/** A URL with one of the given protocols. */
export function url(protocols: string[], fallback: string | undefined, doc: string): EnvRule<string> {
  return {
    fallback,
    doc,
    parse(raw) {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new EnvValueError(`must be a URL like ${protocols[0]}//host:port`);
      }
      if (!protocols.includes(parsed.protocol)) throw new EnvValueError(`must use ${protocols.join(' or ')}`);
      return raw;
    },
  };
}

/** true/false, 1/0, yes/no. */
export function flag(fallback: boolean, doc: string): EnvRule<boolean> {
  return {
    fallback,
    doc,
    parse(raw) {
      const value = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new EnvValueError('must be true or false');
    },
  };
}

/** A comma-separated list of non-empty items. */
export function list(doc: string): EnvRule<string[]> {
  return {
    fallback: [],
    doc,
    parse: (raw) =>
      raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
  };
}

/** A 256-bit key, given as 64 hex characters or 44 base64 characters. */
export function key256(fallback: string | undefined, doc: string): EnvRule<Buffer> {
  return {
    fallback: fallback === undefined ? undefined : decodeKey(fallback),
    doc,
    parse: decodeKey,
  };
}

/** A comma-separated list of 256-bit keys. */
export function keyList(doc: string): EnvRule<Buffer[]> {
  return {
    fallback: [],
    doc,
    parse: (raw) =>
      raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
        .map(decodeKey),
  };
}

function decodeKey(raw: string): Buffer {
  const value = raw.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (bytes.length !== 32) {
    throw new EnvValueError('must be 32 random bytes as 64 hex or 44 base64 characters (openssl rand -hex 32)');
  }
  return bytes;
}

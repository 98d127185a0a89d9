import { parseRedisUrl } from './redis-url';
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

/** true/false (also 1/0, yes/no, on/off). */
export function boolean(fallback: boolean, doc: string): EnvRule<boolean> {
  return {
    fallback,
    doc,
    parse(raw) {
      const value = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      throw new EnvValueError('must be true or false');
    },
  };
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

/** Which proxies Express believes: none, the nearest N hops, or these addresses (express's `trust proxy`). */
export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;
const IPV6_CIDR = /^[0-9a-f:]+(\/\d{1,3})?$/i;

/** TRUST_PROXY: false, a hop count, or a list of addresses, CIDRs and express's names; never `true`. */
export function trustProxy(doc: string): EnvRule<TrustProxy> {
  return {
    fallback: false,
    doc,
    parse(raw) {
      const value = raw.trim().toLowerCase();
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      if (['true', 'yes', 'on'].includes(value))
        throw new EnvValueError("must not be true (that believes the X-Forwarded-For of any client); give a hop count such as 1, or the proxies' addresses or CIDRs");
      if (/^\d+$/.test(value)) {
        const hops = Number(value);
        if (hops > 10) throw new EnvValueError('must be a hop count from 0 to 10');
        return hops;
      }
      const items = value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      const bad = items.find((item) => !PROXY_NAMES.has(item) && !IPV4_CIDR.test(item) && !(item.includes(':') && IPV6_CIDR.test(item)));
      if (items.length === 0 || bad !== undefined) throw new EnvValueError(`must be false, a hop count, or addresses/CIDRs (${bad ?? 'empty'} is none of these)`);
      return items;
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

/** REDIS_URL: one server, a Sentinel group or a Cluster (see `parseRedisUrl`). */
export function redisUrl(fallback: string, doc: string): EnvRule<string> {
  return {
    fallback,
    doc,
    parse(raw) {
      try {
        parseRedisUrl(raw);
      } catch (error) {
        throw new EnvValueError((error as Error).message);
      }
      return raw.trim();
    },
  };
}

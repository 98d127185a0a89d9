import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/** The session cookie (HttpOnly) and the CSRF cookie the board's own requests echo as `X-XSRF-TOKEN` (axios does it). */
export const SESSION_COOKIE = 'export_admin_session';
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'x-xsrf-token';
const COOKIE_PATH = '/admin';

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function isSameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The cookies of a request, by name (the first of each). */
export function cookiesOf(req: Request): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 1) continue;
    const name = part.slice(0, at).trim();
    if (!found.has(name)) found.set(name, part.slice(at + 1).trim());
  }
  return found;
}

/**
 * Dashboard login sessions: a cookie naming the API key that logged in and when the session ends,
 * signed with HMAC-SHA256 under a key derived from EXPORT_SECRET_KEY (rotating that key ends every
 * session). The key is re-checked on every request, so a revoked key or a changed role takes effect
 * at once. The CSRF token is an HMAC of the session, so it needs no storage either.
 */
export class AdminSessions {
  private readonly key: Buffer;

  constructor(
    secretKey: Buffer,
    private readonly ttlSeconds: number,
    private readonly isSecure: boolean,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'export-service admin session v1', 32));
  }

  /** A new session for the key: the cookie value and its CSRF token. */
  issue(apiKeyId: string, now = Date.now()): { token: string; csrf: string } {
    const payload = base64url(Buffer.from(JSON.stringify({ k: apiKeyId, exp: Math.floor(now / 1000) + this.ttlSeconds, n: base64url(randomBytes(9)) })));
    const token = `${payload}.${this.sign(payload)}`;
    return { token, csrf: this.csrfFor(token) };
  }

  /** The API key id of a valid, unexpired session cookie; null otherwise. */
  verify(token: string | undefined, now = Date.now()): string | null {
    if (!token) return null;
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined || !isSameText(signature, this.sign(payload))) return null;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k?: unknown; exp?: unknown };
      return typeof claims.k === 'string' && typeof claims.exp === 'number' && claims.exp * 1000 > now ? claims.k : null;
    } catch {
      return null;
    }
  }

  /** True when `header` is the CSRF token of the session `token`. */
  isCsrfValid(token: string, header: string | undefined): boolean {
    return header !== undefined && isSameText(header, this.csrfFor(token));
  }

  /** Set-Cookie values that start a session. */
  startCookies(session: { token: string; csrf: string }): string[] {
    return [this.cookie(SESSION_COOKIE, session.token, this.ttlSeconds, true), this.cookie(CSRF_COOKIE, session.csrf, this.ttlSeconds, false)];
  }

  /** Set-Cookie values that end one. */
  endCookies(): string[] {
    return [this.cookie(SESSION_COOKIE, '', 0, true), this.cookie(CSRF_COOKIE, '', 0, false)];
  }

  private csrfFor(token: string): string {
    return this.sign(`csrf:${token}`);
  }

  private sign(text: string): string {
    return base64url(createHmac('sha256', this.key).update(text).digest());
  }

  private cookie(name: string, value: string, maxAge: number, isHttpOnly: boolean): string {
    return [`${name}=${value}`, `Path=${COOKIE_PATH}`, `Max-Age=${maxAge}`, 'SameSite=Strict', ...(isHttpOnly ? ['HttpOnly'] : []), ...(this.isSecure ? ['Secure'] : [])].join(
      '; ',
    );
  }
}

import { createHash, randomBytes } from 'node:crypto';

const API_KEY_PREFIX = 'dxk_';

/** A new API key: a recognisable prefix (so scanners and log redaction spot it) and 256 random bits. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of a key. Keys carry 256 bits of entropy, so a fast hash is safe here and lets the
 * lookup be a unique-index equality, with no per-request scrypt cost.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The first characters of a key, stored so an operator can tell keys apart without the key itself. */
export function apiKeyHint(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

/** True when a string has the shape of one of our keys (checked before any lookup). */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && value.length === API_KEY_PREFIX.length + 43 && /^[A-Za-z0-9_-]+$/.test(value.slice(4));
}

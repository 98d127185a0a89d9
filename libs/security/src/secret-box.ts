import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** Keys for sealing secrets at rest: the current one seals, all of them open (for rotation). */
export interface SecretKeys {
  key: Buffer;
  previousKeys: readonly Buffer[];
}

/** Short, non-secret id of a key, stored beside each sealed value so the right key is found. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('export-secret-key-id:').update(key).digest('hex').slice(0, 12);
}

/**
 * Encrypts a secret with AES-256-GCM under the current key. `context` (a job or workspace id) is
 * authenticated too, so a sealed value cannot be moved to another record.
 */
export function sealSecret(plaintext: string, keys: SecretKeys, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyId(keys.key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Opens a sealed secret with whichever configured key sealed it. */
export function openSecret(sealed: string, keys: SecretKeys, context: string): string {
  const [version, id, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !id || !iv || !tag || body === undefined) throw new Error('sealed secret has an unknown format');
  const key = [keys.key, ...keys.previousKeys].find((candidate) => keyId(candidate) === id);
  if (!key) throw new Error(`sealed secret uses key ${id}, which is not configured (EXPORT_SECRET_KEY / EXPORT_SECRET_KEY_PREVIOUS)`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** True when a sealed value was sealed with the current key (rotation skips those). */
export function isSealedWithCurrentKey(sealed: string, keys: SecretKeys): boolean {
  return sealed.split('.')[1] === keyId(keys.key);
}

/** What a stored credential's secret is sealed to: the record itself and its workspace. */
export function credentialContext(credential: { id: string; workspaceId: string }): string {
  return `credential:${credential.workspaceId}:${credential.id}`;
}

/**
 * Opens a stored credential's secret. Secrets sealed before credentials were bound to their own id
 * (sealed to the workspace only) still open; `rotate-secret-key` re-seals them to the record.
 */
export function openCredentialSecret(sealed: string, keys: SecretKeys, credential: { id: string; workspaceId: string }): { secret: string; isLegacy: boolean } {
  try {
    return { secret: openSecret(sealed, keys, credentialContext(credential)), isLegacy: false };
  } catch (error) {
    try {
      return { secret: openSecret(sealed, keys, credential.workspaceId), isLegacy: true };
    } catch {
      throw error;
    }
  }
}

/** What a delivery's inline secrets are sealed to: the delivery row and its workspace. */
export function deliverySecretContext(delivery: { id: string; workspaceId: string }): string {
  return `delivery:${delivery.workspaceId}:${delivery.id}`;
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header carrying `sha256=<hex HMAC of the body>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Signature';
/** Header carrying the Unix time the body was signed at (the body's `timestamp` holds it too, so it is signed). */
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Signature-Timestamp';

/** A new per-workspace webhook signing secret. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** What the webhook secret of a workspace is sealed to. */
export function webhookSecretContext(workspaceId: string): string {
  return `webhook-secret:${workspaceId}`;
}

/** `sha256=<hex>`: the HMAC-SHA256 of the exact body bytes under the workspace's secret. */
export function signWebhookBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a receiver does: recompute the signature and compare in constant time. */
export function isWebhookSignatureValid(secret: string, body: string | Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(signWebhookBody(secret, body));
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

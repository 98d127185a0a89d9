import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { failWith, FailureCode } from '@export-service/errors';
import type { DeliveryRequest, DeliveryTarget } from '@export-service/export-core';
import { signWebhookBody, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from '@export-service/security';
import { deliveryFailure, onAbort } from './delivery-failure';
import { resolvePublicHost } from './public-address';

/** What webhook deliveries take from the service's configuration. */
export interface WebhookDeliverySettings {
  allowPrivate: boolean;
  timeoutMs: number;
}

/** The JSON body of a webhook: what happened to the export, its files with signed download links, a timestamp. */
export function webhookBody(request: DeliveryRequest<'webhook'>, now: Date): string {
  return JSON.stringify({
    event: request.event,
    delivery_id: request.deliveryId,
    job_id: request.jobId,
    name: request.exportName,
    status: request.event === 'export.completed' ? 'completed' : 'failed',
    total_rows: request.totalRows,
    files: request.files.map((file) => ({
      index: file.index,
      filename: file.filename,
      rows: file.rows,
      bytes: file.bytes,
      checksum: `sha256:${file.sha256}`,
      download_url: file.downloadUrl(),
    })),
    error: request.failure,
    status_url: request.statusUrl,
    // Signed with the body, so a replayed request shows its age; receivers refuse old ones.
    timestamp: Math.floor(now.getTime() / 1000),
  });
}

/** Sends one POST to the checked address (no redirects followed) and resolves with the response, body drained. */
function post(
  url: URL,
  address: { address: string; family: 4 | 6 },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  // The connection goes to the address that was checked, whatever DNS answers now (no rebinding).
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, lookup, timeout: timeoutMs, signal }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('the webhook receiver timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs a JSON notice of the export (completed with its files, or failed) to `webhook_url`, signed
 * `X-Signature: sha256=<HMAC of the body>` under the workspace's webhook secret, with the signing time
 * in the body and in `X-Signature-Timestamp`. Every address the host resolves to must be public
 * (unless WEBHOOK_ALLOW_PRIVATE), redirects are refused rather than followed, and any answer but 2xx
 * is retried with backoff. `X-Webhook-Id` (the delivery id) stays the same across retries, for de-duplication.
 */
export function webhookDelivery(settings: WebhookDeliverySettings): DeliveryTarget<'webhook'> {
  return {
    async deliver(request) {
      const url = new URL(request.target.url);
      const where = `${url.origin}${url.pathname}`;
      if (!request.webhookSecret)
        throw failWith(FailureCode.deliveryNotConfigured, 'the workspace has no webhook secret (an admin creates one: POST /api/v1/delivery-settings/webhook-secret)');
      try {
        const resolved = await resolvePublicHost(url.hostname, settings.allowPrivate);
        if ('refused' in resolved)
          throw failWith(
            FailureCode.deliveryAddressRefused,
            `${url.hostname} resolves to ${resolved.refused}, a private, loopback or link-local address, which webhooks may not call`,
          );
        const now = new Date();
        const body = webhookBody(request, now);
        const headers = {
          'Content-Type': 'application/json',
          'User-Agent': 'analytics-export-webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(request.webhookSecret, body),
          [WEBHOOK_TIMESTAMP_HEADER]: String(Math.floor(now.getTime() / 1000)),
          'X-Webhook-Id': request.deliveryId,
          'X-Webhook-Event': request.event,
        };
        const controller = new AbortController();
        const release = onAbort(request.signal, () => controller.abort());
        try {
          const response = await post(url, resolved, headers, body, settings.timeoutMs, controller.signal);
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400)
            throw failWith(FailureCode.deliveryRejected, `${where} answered ${status} (a redirect); redirects are not followed, give the final URL`);
          if (status < 200 || status >= 300) throw failWith(FailureCode.deliveryRejected, `${where} answered ${status}; the webhook will be retried`);
          return { location: `POST ${where} → ${status}` };
        } finally {
          release();
        }
      } catch (error) {
        throw deliveryFailure(error, where);
      }
    },
  };
}

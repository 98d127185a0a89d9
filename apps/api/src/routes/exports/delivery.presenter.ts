import type { DeliveryTarget, DeliveryTargets } from '@export-service/contracts';
import type { DeliveryEntity } from '@export-service/db';

/** What SFTP and FTP targets show alike. */
function presentRemoteHost(target: DeliveryTargets['sftp'] | DeliveryTargets['ftp']) {
  return { method: target.method, host: target.host, port: target.port, username: target.username, remote_dir: target.remoteDir, credential_id: target.credentialId };
}

/** A target's public settings as the API shows them (snake_case, no secrets, no certificates). */
function presentTarget(target: DeliveryTarget) {
  switch (target.method) {
    case 'download':
      return { method: target.method };
    case 'email':
      return { method: target.method, email_recipients: target.recipients };
    case 's3':
      return { method: target.method, bucket: target.bucket, prefix: target.prefix, region: target.region, endpoint: target.endpoint, credential_id: target.credentialId };
    case 'sftp':
      return { ...presentRemoteHost(target), host_key_sha256: target.hostKeySha256 };
    case 'ftp':
      return { ...presentRemoteHost(target), tls: target.tls };
    case 'webhook': {
      // A webhook URL's query may carry the receiver's own token: show where it goes, not the token.
      const url = new URL(target.url);
      return { method: target.method, webhook_url: `${url.origin}${url.pathname}${url.search ? '?…' : ''}` };
    }
  }
}

/** One delivery in the status answer: index, target (without secrets), state, attempts, last error, location. */
export function presentDelivery(delivery: DeliveryEntity) {
  return {
    index: delivery.position,
    target: presentTarget(delivery.target),
    state: delivery.status,
    attempts: delivery.attempts,
    last_error: delivery.lastError,
    last_error_code: delivery.lastErrorCode,
    location: delivery.location,
    delivered_at: delivery.deliveredAt?.toISOString() ?? null,
    ...(delivery.status === 'failed' ? { retry_url: `/api/v1/export/${delivery.jobId}/deliveries/${delivery.position}/retry` } : {}),
  };
}

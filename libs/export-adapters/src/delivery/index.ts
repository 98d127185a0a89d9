import type { DeliveryTargetRegistry } from '@export-service/export-core';
import { downloadDelivery } from './download.delivery';
import { emailDelivery, type EmailDeliverySettings } from './email.delivery';
import { ftpDelivery } from './ftp.delivery';
import { s3Delivery } from './s3.delivery';
import { sftpDelivery } from './sftp.delivery';
import { webhookDelivery, type WebhookDeliverySettings } from './webhook.delivery';

/** What the delivery targets take from the service's configuration. */
export interface DeliverySettings {
  mail: Omit<EmailDeliverySettings, 'connectTimeoutMs'>;
  webhook: WebhookDeliverySettings;
  connectTimeoutMs: number;
  partSizeBytes: number;
}

/** One target per delivery method; a method without one fails to compile. */
export function createDeliveryTargets(settings: DeliverySettings): DeliveryTargetRegistry {
  const connect = { connectTimeoutMs: settings.connectTimeoutMs };
  return {
    download: downloadDelivery,
    email: emailDelivery({ ...settings.mail, ...connect }),
    s3: s3Delivery({ partSizeBytes: settings.partSizeBytes, ...connect }),
    sftp: sftpDelivery(connect),
    ftp: ftpDelivery(connect),
    webhook: webhookDelivery(settings.webhook),
  } satisfies DeliveryTargetRegistry;
}

export { composeMessage } from './email.delivery';
export { hostKeyFingerprint, temporaryName } from './sftp.delivery';
export { isRefusedAddress, resolvePublicHost } from './public-address';
export { webhookBody } from './webhook.delivery';

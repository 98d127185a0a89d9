import type { DeliveryEvent, DeliverySecret, DeliveryTarget as TargetSettings } from '@export-service/contracts';
import type { CredentialRepository, DeliveryEntity, DeliveryRepository, DeliverySettingsRepository, ExportJobRepository } from '@export-service/db';
import { failWith, FailureCode } from '@export-service/errors';
import type { ArtifactStore, DeliveryFile, DeliveryRequest, DeliveryTargetRegistry } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import { deliverySecretContext, openCredentialSecret, openSecret, webhookSecretContext, type LinkSigner, type SecretKeys } from '@export-service/security';
import type { JobHandler } from './job-handler';

/** What running a delivery needs. */
export interface DeliverExportDeps {
  deliveries: DeliveryRepository;
  jobs: ExportJobRepository;
  credentials: CredentialRepository;
  deliverySettings: DeliverySettingsRepository;
  store: ArtifactStore;
  targets: DeliveryTargetRegistry;
  secrets: SecretKeys;
  linkSigner: LinkSigner;
  publicBaseUrl: string;
  /** How long the download links in messages work. */
  linkTtlSeconds: number;
  logger: Logger;
}

/** A stored credential's secret JSON (snake_case, as /api/v1/credentials takes it) as delivery secrets. */
function credentialSecret(json: string, publicConfig: Record<string, unknown>): DeliverySecret {
  const secret = JSON.parse(json) as Record<string, string | undefined>;
  const accessKeyId = secret.access_key_id ?? (typeof publicConfig.access_key_id === 'string' ? publicConfig.access_key_id : undefined);
  return {
    accessKeyId,
    secretAccessKey: secret.secret_access_key,
    sessionToken: secret.session_token,
    password: secret.password,
    privateKey: secret.private_key,
    passphrase: secret.passphrase,
  };
}

/**
 * Delivers one export to one target: takes the delivery with a new attempt token, opens its secrets
 * in memory (the stored credential's, then the inline ones sealed to the row), streams the export's
 * files from the store to the target, and records where they went if the attempt still owns the
 * delivery. Failures are retried by BullMQ with the delivery's own backoff; the export stays completed.
 */
export function createDeliverExportHandler(deps: DeliverExportDeps): JobHandler<'deliver-export'> {
  /** The token of each attempt this process runs (by BullMQ lock token), for onFailure. */
  const tokens = new Map<string, string>();
  const attemptOf = (deliveryId: string, token: string | undefined) => `${deliveryId}:${token ?? ''}`;

  async function secretOf(delivery: DeliveryEntity): Promise<DeliverySecret> {
    let secret: DeliverySecret = {};
    if (delivery.credentialId) {
      const credential = await deps.credentials.findInWorkspace(delivery.workspaceId, delivery.credentialId);
      if (!credential) throw failWith(FailureCode.deliveryCredentialMissing, `the stored credential ${delivery.credentialId} of this delivery was deleted`);
      secret = credentialSecret(openCredentialSecret(credential.sealedSecret, deps.secrets, credential).secret, credential.publicConfig);
    }
    if (delivery.sealedSecret) secret = { ...secret, ...(JSON.parse(openSecret(delivery.sealedSecret, deps.secrets, deliverySecretContext(delivery))) as DeliverySecret) };
    return secret;
  }

  async function requestFor(delivery: DeliveryEntity, signal: AbortSignal): Promise<DeliveryRequest> {
    const job = await deps.jobs.findById(delivery.jobId);
    if (!job) throw failWith(FailureCode.exportMissing, `export ${delivery.jobId} no longer exists`);
    const event: DeliveryEvent = delivery.event ?? (job.status === 'failed' ? 'export.failed' : 'export.completed');
    const rows = event === 'export.completed' ? await deps.jobs.listFiles(job.id) : [];
    const files: DeliveryFile[] = rows.map((file) => ({
      index: file.fileIndex,
      filename: file.filename,
      kind: file.format === 'manifest' ? 'manifest' : 'data',
      rows: file.rows,
      bytes: file.bytes,
      sha256: file.sha256,
      open: () => deps.store.read(file.storageKey),
      downloadUrl: () =>
        `${deps.publicBaseUrl.replace(/\/$/, '')}/api/v1/export/download/${job.id}/${file.fileIndex}?token=${deps.linkSigner.downloadToken({ workspaceId: job.workspaceId, jobId: job.id, fileIndex: file.fileIndex }, deps.linkTtlSeconds)}`,
    }));
    const settings = delivery.method === 'webhook' ? await deps.deliverySettings.find(delivery.workspaceId) : null;
    return {
      deliveryId: delivery.id,
      jobId: job.id,
      workspaceId: job.workspaceId,
      exportName: job.name,
      event,
      files,
      totalRows: job.totalRows,
      failure: event === 'export.failed' ? { code: job.errorCode, message: job.error ?? 'the export failed' } : null,
      statusUrl: `${deps.publicBaseUrl.replace(/\/$/, '')}/api/v1/export/status/${job.id}`,
      target: delivery.target as TargetSettings,
      secret: await secretOf(delivery),
      webhookSecret: settings?.sealedWebhookSecret ? openSecret(settings.sealedWebhookSecret, deps.secrets, webhookSecretContext(delivery.workspaceId)) : null,
      signal,
    };
  }

  return {
    async perform({ deliveryId }, { job, token, signal }) {
      const delivery = await deps.deliveries.findById(deliveryId);
      if (!delivery) throw failWith(FailureCode.exportMissing, `delivery ${deliveryId} no longer exists`);
      const attemptToken = await deps.deliveries.markDelivering(deliveryId, job.attemptsMade + 1);
      if (!attemptToken) return;
      tokens.set(attemptOf(deliveryId, token), attemptToken);
      const logger = deps.logger.child({ deliveryId, exportJobId: delivery.jobId, method: delivery.method, attempt: job.attemptsMade + 1 });
      const request = await requestFor(delivery, signal);
      const started = Date.now();
      const target = deps.targets[delivery.method] as { deliver(request: DeliveryRequest): Promise<{ location: string }> };
      const result = await target.deliver(request);
      tokens.delete(attemptOf(deliveryId, token));
      if (await deps.deliveries.markDelivered(deliveryId, attemptToken, result.location)) {
        logger.info('delivered', { location: result.location, files: request.files.length, seconds: (Date.now() - started) / 1000 });
      } else {
        logger.warn('delivered, but another attempt owns the delivery now; its outcome stands');
      }
    },

    async onFailure({ deliveryId }, failure, isFinal, { token }) {
      const attemptToken = tokens.get(attemptOf(deliveryId, token));
      tokens.delete(attemptOf(deliveryId, token));
      if (isFinal) {
        await deps.deliveries.markFailed(deliveryId, failure, attemptToken);
        deps.logger.error('delivery failed', { deliveryId, code: failure.code, error: failure.message });
      } else if (attemptToken) {
        await deps.deliveries.markRetrying(deliveryId, attemptToken, failure);
        deps.logger.warn('delivery attempt failed; retrying', { deliveryId, code: failure.code, error: failure.message });
      }
    },
  };
}

import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { failWith, FailureCode } from '@export-service/errors';
import type { DeliveryTarget } from '@export-service/export-core';
import { createS3Client } from '../s3/s3-client';
import { describeS3Error, s3ErrorKind } from '../s3/s3-errors';
import { deliveryFailure, onAbort } from './delivery-failure';

/** What S3 deliveries take from the service's configuration. */
export interface S3DeliverySettings {
  partSizeBytes: number;
  connectTimeoutMs: number;
}

/**
 * Uploads every file to `s3://bucket/<prefix><filename>` with lib-storage (multipart past one part,
 * streamed from the artifact store), the file's SHA-256 and row count as object metadata, checks the
 * stored size, and uploads `manifest.json` last so a loader can wait for it. A retry overwrites the
 * same keys, so each file exists exactly once; S3 shows an object only once its upload completed.
 */
export function s3Delivery(settings: S3DeliverySettings): DeliveryTarget<'s3'> {
  return {
    async deliver({ target, secret, files, jobId, signal }) {
      const where = `s3://${target.bucket}/${target.prefix}`;
      if (!secret.accessKeyId || !secret.secretAccessKey)
        throw failWith(FailureCode.deliveryAuthFailed, 'the S3 delivery has no access key (give one inline or through credential_id)');
      const client = createS3Client({
        region: target.region,
        endpoint: target.endpoint,
        forcePathStyle: target.forcePathStyle,
        credentials: { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey, sessionToken: secret.sessionToken },
        connectTimeoutMs: settings.connectTimeoutMs,
      });
      try {
        for (const file of files) {
          signal.throwIfAborted();
          const key = `${target.prefix}${file.filename}`;
          const body = await file.open();
          const upload = new Upload({
            client,
            params: {
              Bucket: target.bucket,
              Key: key,
              Body: body,
              ContentType: file.kind === 'manifest' ? 'application/json' : 'application/octet-stream',
              Metadata: { sha256: file.sha256, rows: String(file.rows), 'export-job-id': jobId },
            },
            partSize: settings.partSizeBytes,
            queueSize: 1,
            leavePartsOnError: false,
          });
          const release = onAbort(signal, () => void upload.abort().catch(() => undefined));
          try {
            await upload.done();
          } finally {
            release();
            body.destroy();
          }
          const head = await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
          if (head.ContentLength !== file.bytes) throw failWith(FailureCode.deliveryRejected, `${where}${file.filename} holds ${head.ContentLength} bytes, expected ${file.bytes}`);
        }
        return { location: where };
      } catch (error) {
        throw deliveryFailure(error, where, (cause) => {
          const kind = s3ErrorKind(cause);
          if (kind === 'denied') return failWith(FailureCode.deliveryAuthFailed, `${where} refused the credentials (${describeS3Error(cause)})`, cause);
          if (kind === 'no-bucket') return failWith(FailureCode.deliveryAuthFailed, `the bucket ${target.bucket} does not exist`, cause);
          if (kind === 'unreachable') return failWith(FailureCode.deliveryUnreachable, `could not reach ${where} (${describeS3Error(cause)}); the delivery will be retried`, cause);
          return null;
        });
      } finally {
        client.destroy();
      }
    },
  };
}

import { S3Client } from '@aws-sdk/client-s3';

/** Where an S3-compatible bucket is and how to sign for it. */
export interface S3Connection {
  region: string;
  /** Any S3-compatible endpoint; AWS when null. */
  endpoint: string | null;
  forcePathStyle: boolean;
  /** The SDK's default chain (role, environment, profile) when null. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
  /** How long connecting may take. */
  connectTimeoutMs?: number;
}

/**
 * An S3 client for any S3-compatible server. Checksums are computed only where the API requires them:
 * the SDK's default (a CRC32 trailer on every upload, aws-chunked encoding) is not understood by many
 * S3-compatible servers, and the export's own SHA-256 travels as object metadata instead.
 */
export function createS3Client(connection: S3Connection): S3Client {
  return new S3Client({
    region: connection.region,
    endpoint: connection.endpoint ?? undefined,
    forcePathStyle: connection.forcePathStyle,
    // A copy: the SDK marks the object it is given, and the configuration's is frozen.
    credentials: connection.credentials ? { ...connection.credentials } : undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Transient errors are retried by the job (with backoff, visible in status), not for minutes inside one call.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: connection.connectTimeoutMs ?? 10_000, requestTimeout: 120_000 },
  });
}

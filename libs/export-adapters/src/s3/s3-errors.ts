/** What an S3 error means for a retry: the server could not be reached or was busy, or it refused us. */
export type S3ErrorKind = 'unreachable' | 'denied' | 'no-bucket';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const BUSY_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'SlowDown', 'ServiceUnavailable', 'InternalError', 'ThrottlingException', 'RequestTimeTooSkewed']);
const DENIED_NAMES = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'AllAccessDisabled', 'CredentialsProviderError']);

/** Classifies an error of the AWS SDK (or of the socket under it); null when it is not one of S3's. */
export function s3ErrorKind(error: Error): S3ErrorKind | null {
  const { code, name, $metadata } = error as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
  if (name === 'NoSuchBucket') return 'no-bucket';
  if (DENIED_NAMES.has(name ?? '') || $metadata?.httpStatusCode === 403) return 'denied';
  if (
    NETWORK_CODES.has(code ?? '') ||
    /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)\b|socket hang up/.test(error.message ?? '') ||
    BUSY_NAMES.has(name ?? '') ||
    ($metadata?.httpStatusCode ?? 0) >= 500
  )
    return 'unreachable';
  if (typeof error.cause === 'object' && error.cause !== null) return s3ErrorKind(error.cause as Error);
  return null;
}

/** A short, secret-free description of an S3 error for status (`ECONNREFUSED`, `AccessDenied`...). */
export function describeS3Error(error: Error): string {
  const { code, name } = error as { code?: string; name?: string };
  return code ?? (name && name !== 'Error' ? name : error.message.slice(0, 200));
}

import { failWith, FailureCode, JobFailureError } from '@export-service/errors';

/** Socket errors that mean "could not reach the target, try again later". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ESOCKET',
  'ECONNECTION',
  'ETIMEOUT',
]);

/** The errno-like code of an error or of its causes. */
export function errorCodeOf(error: unknown): string | undefined {
  // Duck-typed, not `instanceof Error`: errors made by Node's own modules come from another realm under some runners.
  for (let current = error, depth = 0; isErrorLike(current) && depth < 5; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return undefined;
}

/** An object shaped like an Error, whatever realm made it. */
export function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/** True for a socket-level failure (refused, reset, timed out, name not found). */
export function isNetworkError(error: unknown): boolean {
  const code = errorCodeOf(error);
  return (
    (code !== undefined && NETWORK_CODES.has(code)) ||
    (isErrorLike(error) && /timed? ?out|socket hang up|connection (closed|ended|lost|reset)|not connected|No SFTP connection/i.test(error.message))
  );
}

/**
 * What a delivery adapter throws at its boundary: failures it named pass through; socket errors become
 * "could not reach <where>"; `classify` names its own protocol's errors; anything else is a delivery
 * failure worth a retry, with the error's code (never its text, which may echo settings) for status.
 */
export function deliveryFailure(error: unknown, where: string, classify: (error: Error) => JobFailureError | null = () => null): JobFailureError {
  if (error instanceof JobFailureError) return error;
  if (isErrorLike(error)) {
    const named = classify(error);
    if (named) return named;
  }
  const code = errorCodeOf(error);
  if (isNetworkError(error)) return failWith(FailureCode.deliveryUnreachable, `could not reach ${where}${code ? ` (${code})` : ''}; the delivery will be retried`, error);
  return failWith(FailureCode.deliveryRejected, `the delivery to ${where} failed${code ? ` (${code})` : ''}; it will be retried`, error);
}

/** Runs `stop` when the attempt is told to stop, until `release()` is called. */
export function onAbort(signal: AbortSignal, stop: () => void): () => void {
  if (signal.aborted) stop();
  signal.addEventListener('abort', stop, { once: true });
  return () => signal.removeEventListener('abort', stop);
}

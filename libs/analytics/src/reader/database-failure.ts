import { FailureCode, jobFailure, wrapFailure, type JobFailure } from '@export-service/errors';

/**
 * What the analytics database's errors mean for a retry: the one SQLSTATE list. Connection loss,
 * shutdowns and resource limits pass; data, integrity and syntax errors never will.
 */
const SQLSTATE_FAILURES: ReadonlyArray<readonly [RegExp, FailureCode]> = [
  [/^08/, FailureCode.databaseUnavailable], // connection exception
  [/^57P0[1-4]$/, FailureCode.databaseUnavailable], // shutdown, crash, cannot connect now, dropped database
  [/^53/, FailureCode.databaseBusy], // insufficient resources (disk, memory, connections)
  [/^40/, FailureCode.databaseBusy], // serialization failure, deadlock
  [/^55P03$/, FailureCode.databaseBusy], // lock not available
  [/^57014$/, FailureCode.databaseBusy], // query cancelled (statement timeout)
  [/^(0A|22|23|25|28|2B|3D|3F|42|44|XX)/, FailureCode.queryRejected], // unsupported, data, integrity, state, auth, schema, internal
];

/** Socket-level errors of the pg client: the server or the network went away. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const CONNECTION_MESSAGES = /Connection terminated|Client has encountered a connection error|timeout expired|connection timeout/i;

/** The failure behind an error the pg client raised, or null when it is none of the database's. */
export function classifyDatabaseError(error: Error): JobFailure | null {
  const code = (error as { code?: unknown }).code;
  // A server error carries a severity; errno codes (EPIPE, EPERM) look like SQLSTATEs but are not.
  const isServerError = typeof (error as { severity?: unknown }).severity === 'string';
  if (isServerError && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const match = SQLSTATE_FAILURES.find(([pattern]) => pattern.test(code));
    const failureCode = match?.[1] ?? FailureCode.databaseBusy;
    const base = jobFailure(failureCode);
    return { ...base, message: `${base.message} (SQLSTATE ${code})` };
  }
  if ((typeof code === 'string' && CONNECTION_CODES.has(code)) || CONNECTION_MESSAGES.test(error.message)) return jobFailure(FailureCode.databaseUnavailable);
  return null;
}

/** Wraps an error from the pg client in its failure, at the adapter's boundary; others pass unchanged. */
export function asDatabaseFailure(thrown: unknown): unknown {
  return wrapFailure(thrown, classifyDatabaseError);
}

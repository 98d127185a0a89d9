/**
 * Why a job attempt failed, as stored beside the export (`error_code`) and shown in its status.
 * Values persist in PostgreSQL: never rename them.
 */
export const FailureCode = {
  databaseUnavailable: 'database_unavailable',
  databaseBusy: 'database_busy',
  queryRejected: 'query_rejected',
  storageFull: 'storage_full',
  storageUnavailable: 'storage_unavailable',
  storageDenied: 'storage_denied',
  scratchFull: 'scratch_disk_full',
  rowTooLarge: 'row_too_large',
  toolMissing: 'tool_missing',
  exportMissing: 'export_missing',
  notQueued: 'not_queued',
  workerStopped: 'worker_stopped',
  attemptAborted: 'attempt_aborted',
  sourceUnreadable: 'source_unreadable',
  valueNotRepresentable: 'value_not_representable',
  deliveryUnreachable: 'delivery_unreachable',
  deliveryRejected: 'delivery_rejected',
  deliveryAuthFailed: 'delivery_auth_failed',
  deliveryHostKeyMismatch: 'delivery_host_key_mismatch',
  deliveryAddressRefused: 'delivery_address_refused',
  deliveryNotConfigured: 'delivery_not_configured',
  deliveryCredentialMissing: 'delivery_credential_missing',
  internal: 'internal_error',
} as const;
export type FailureCode = (typeof FailureCode)[keyof typeof FailureCode];

/** One classified failure: what the client reads, and whether a retry could help. */
export interface JobFailure {
  code: FailureCode;
  /** A sentence for the client: never SQL, paths or a stack (those go to the worker log). */
  message: string;
  isPermanent: boolean;
}

/** The default sentence and retry policy of every code: the one table of job failures. */
export const FAILURES: { readonly [C in FailureCode]: { message: string; isPermanent: boolean } } = {
  [FailureCode.databaseUnavailable]: { message: 'lost the connection to the analytics database', isPermanent: false },
  [FailureCode.databaseBusy]: { message: 'the analytics database was too busy to answer; the export will be retried', isPermanent: false },
  [FailureCode.queryRejected]: { message: 'the analytics database refused the query', isPermanent: true },
  [FailureCode.storageFull]: { message: 'the export storage is full', isPermanent: false },
  [FailureCode.storageUnavailable]: { message: 'the export storage could not be written or read', isPermanent: false },
  [FailureCode.storageDenied]: { message: 'the export storage refused the write (permissions)', isPermanent: true },
  [FailureCode.scratchFull]: { message: 'the worker ran out of disk space', isPermanent: false },
  [FailureCode.rowTooLarge]: { message: 'a single row does not fit in max_size_mb', isPermanent: true },
  [FailureCode.toolMissing]: { message: 'a tool the export needs is not installed on the worker', isPermanent: true },
  [FailureCode.exportMissing]: { message: 'the export no longer exists', isPermanent: true },
  [FailureCode.notQueued]: { message: 'the export could not be queued; try again', isPermanent: true },
  [FailureCode.workerStopped]: { message: 'the worker running this export stopped too many times', isPermanent: true },
  [FailureCode.attemptAborted]: { message: 'the attempt was stopped (its worker shut down or lost the job); another attempt takes over', isPermanent: false },
  [FailureCode.sourceUnreadable]: { message: "the source export's files could not be read (missing, altered or damaged)", isPermanent: true },
  [FailureCode.valueNotRepresentable]: { message: 'a value of the source cannot be held by the target format', isPermanent: true },
  [FailureCode.deliveryUnreachable]: { message: 'the delivery target could not be reached; the delivery will be retried', isPermanent: false },
  [FailureCode.deliveryRejected]: { message: 'the delivery target refused the files', isPermanent: false },
  [FailureCode.deliveryAuthFailed]: { message: 'the delivery target refused the credentials', isPermanent: true },
  [FailureCode.deliveryHostKeyMismatch]: { message: "the SFTP server's host key does not match host_key_sha256", isPermanent: true },
  [FailureCode.deliveryAddressRefused]: { message: 'the webhook address is private, loopback or link-local, which is refused', isPermanent: true },
  [FailureCode.deliveryNotConfigured]: { message: 'this delivery method is not configured on the server', isPermanent: true },
  [FailureCode.deliveryCredentialMissing]: { message: 'the stored credential of this delivery no longer exists', isPermanent: true },
  [FailureCode.internal]: { message: 'an internal error stopped the export; it has been logged', isPermanent: false },
};

/** A failure with its table defaults, or a more precise sentence. */
export function jobFailure(code: FailureCode, message?: string): JobFailure {
  const known = FAILURES[code];
  return { code, message: message ?? known.message, isPermanent: known.isPermanent };
}

/**
 * An error an adapter or stage raises once it knows what went wrong. The original error stays as
 * `cause` for the worker log; the failure is what the client sees.
 */
export class JobFailureError extends Error {
  constructor(
    readonly failure: JobFailure,
    options?: { cause?: unknown },
  ) {
    super(failure.message, options);
    this.name = 'JobFailureError';
  }
}

/** Throws (or returns, for `throw failWith(...)`) a failure of a known code. */
export function failWith(code: FailureCode, message?: string, cause?: unknown): JobFailureError {
  return new JobFailureError(jobFailure(code, message), { cause });
}

/** Maps the errors one adapter knows; null when the error is not one of its own. */
export type FailureClassifier = (error: Error) => JobFailure | null;

/**
 * What an adapter throws at its boundary: its own errors wrapped in their failure (the original kept
 * as `cause` for the worker log); anything else, and failures already named, unchanged.
 */
export function wrapFailure(thrown: unknown, classify: FailureClassifier): unknown {
  if (!(thrown instanceof Error) || thrown instanceof JobFailureError) return thrown;
  const failure = classify(thrown);
  return failure ? new JobFailureError(failure, { cause: thrown }) : thrown;
}

/**
 * The failure behind any thrown value: the JobFailureError an adapter or stage raised (found through
 * `cause` chains, when a stream stage wrapped it again), or an internal (retried) error. An error no
 * adapter named is of unknown origin and is never blamed on a particular system.
 */
export function classifyFailure(thrown: unknown): JobFailure {
  for (let current: unknown = thrown, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof JobFailureError) return current.failure;
  }
  return jobFailure(FailureCode.internal);
}

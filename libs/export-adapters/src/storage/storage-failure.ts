import { FailureCode, jobFailure, wrapFailure, type JobFailure } from '@export-service/errors';

/** Operating-system errors of the export store, by what they mean for a retry. */
const STORAGE_ERRNO: Readonly<Record<string, FailureCode>> = {
  ENOSPC: FailureCode.storageFull,
  EDQUOT: FailureCode.storageFull,
  EFBIG: FailureCode.storageFull,
  EIO: FailureCode.storageUnavailable,
  EBUSY: FailureCode.storageUnavailable,
  EMFILE: FailureCode.storageUnavailable,
  ENFILE: FailureCode.storageUnavailable,
  ESTALE: FailureCode.storageUnavailable,
  EACCES: FailureCode.storageDenied,
  EPERM: FailureCode.storageDenied,
  EROFS: FailureCode.storageDenied,
};

/** The failure behind an error of the local store's file system, or null. */
export function classifyStorageError(error: Error): JobFailure | null {
  const code = (error as { code?: unknown }).code;
  const failureCode = typeof code === 'string' ? STORAGE_ERRNO[code] : undefined;
  return failureCode ? jobFailure(failureCode) : null;
}

/** Wraps a file-system error of the store in its failure, at the adapter's boundary. */
export function asStorageFailure(thrown: unknown): unknown {
  return wrapFailure(thrown, classifyStorageError);
}

/** Errors of the worker's scratch directory (Parquet staging): a full disk there is the worker's, not the store's. */
export function classifyScratchError(error: Error): JobFailure | null {
  const code = (error as { code?: unknown }).code;
  // DuckDB reports a full disk in its message only.
  return code === 'ENOSPC' || code === 'EDQUOT' || /No space left on device/i.test(error.message) ? jobFailure(FailureCode.scratchFull) : null;
}

/** Wraps an error of the scratch directory in its failure, at the staging adapter's boundary. */
export function asScratchFailure(thrown: unknown): unknown {
  return wrapFailure(thrown, classifyScratchError);
}

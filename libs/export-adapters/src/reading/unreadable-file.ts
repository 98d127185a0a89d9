/**
 * A stored export file that cannot be read as what its export recorded: missing, altered, truncated,
 * not decryptable with the password given, or not parseable. The message names the file and the
 * problem in words a client can act on.
 */
export class UnreadableFileError extends Error {
  constructor(
    readonly filename: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${filename}: ${problem}`, options);
    this.name = 'UnreadableFileError';
  }
}

/** True for an unreadable-file error. */
export function isUnreadableFile(error: unknown): error is UnreadableFileError {
  return error instanceof UnreadableFileError;
}

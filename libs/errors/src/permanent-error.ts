/**
 * A failure that retrying cannot fix (a row larger than the size limit, a missing table, a bad stored
 * config). Workers turn it into BullMQ's UnrecoverableError; its message is shown to the client.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

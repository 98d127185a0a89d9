/**
 * A stage that accepts bytes and passes them on (compress, encrypt, hash, store).
 * Calls are sequential: await each one before the next.
 */
export interface ByteSink {
  /** Accepts a chunk; resolves when the next stage can take more (backpressure). */
  write(chunk: Buffer): Promise<void>;
  /** Pushes everything written so far through to the last stage, so byte counts downstream are exact. */
  flush(): Promise<void>;
  /** Writes trailers and ends every later stage. */
  end(): Promise<void>;
  /** Gives up: releases resources, leaves nothing behind. Safe to call more than once. */
  destroy(error?: Error): Promise<void>;
}

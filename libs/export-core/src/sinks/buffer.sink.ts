import type { ByteSink } from '../ports/byte-sink';

/** Collects bytes in memory. For small files (the manifest) and tests only. */
export class BufferSink implements ByteSink {
  private readonly chunks: Buffer[] = [];
  /** True once `end()` has reached this sink (tests check that stages propagate it). */
  isEnded = false;

  async write(chunk: Buffer): Promise<void> {
    this.chunks.push(Buffer.from(chunk));
  }

  async flush(): Promise<void> {}

  async end(): Promise<void> {
    this.isEnded = true;
  }

  async destroy(): Promise<void> {
    this.chunks.length = 0;
  }

  /** Everything written so far. */
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

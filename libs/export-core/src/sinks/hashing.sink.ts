import { createHash, type Hash } from 'node:crypto';
import type { ByteSink } from '../ports/byte-sink';

/** Computes SHA-256 and the byte count of exactly what is stored, while it streams. */
export class HashingSink implements ByteSink {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private hex: string | null = null;

  constructor(private readonly next: ByteSink) {}

  write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    return this.next.write(chunk);
  }

  flush(): Promise<void> {
    return this.next.flush();
  }

  async end(): Promise<void> {
    await this.next.end();
    this.hex = this.hash.digest('hex');
  }

  destroy(error?: Error): Promise<void> {
    return this.next.destroy(error);
  }

  /** Lower-case hex digest; available after `end()`. */
  get sha256(): string {
    if (this.hex === null) throw new Error('sha256 is known only after the file has ended');
    return this.hex;
  }
}

import type { ByteSink } from '../ports/byte-sink';

/** Passes bytes on and counts them: the exact size measure between compression and encryption. */
export class CountingSink implements ByteSink {
  bytes = 0;

  constructor(private readonly next: ByteSink) {}

  write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    return this.next.write(chunk);
  }

  flush(): Promise<void> {
    return this.next.flush();
  }

  end(): Promise<void> {
    return this.next.end();
  }

  destroy(error?: Error): Promise<void> {
    return this.next.destroy(error);
  }
}

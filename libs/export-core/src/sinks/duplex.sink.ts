import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { ByteSink } from '../ports/byte-sink';

/** Makes a duplex emit everything written to it so far (zlib: a sync flush). */
export type FlushDuplex = (stream: Duplex) => Promise<void>;

/**
 * Drives a Node duplex (a zlib stream, for instance) as a ByteSink that writes its output into `next`,
 * one chunk at a time, so backpressure reaches the row source and `flush()` leaves nothing in flight.
 */
export class DuplexSink implements ByteSink {
  private forwarding = false;
  private failure: Error | null = null;
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly ended: Promise<void>;
  /** Rejects with the first failure, so no wait outlives it (a destroyed duplex emits no more events). */
  private readonly failed: Promise<never>;
  private rejectFailed: (error: Error) => void = () => undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly next: ByteSink,
    private readonly flushStream: FlushDuplex,
  ) {
    stream.on('data', (chunk: Buffer) => this.forward(chunk));
    stream.on('error', (error: Error) => this.fail(error));
    this.ended = once(stream, 'end').then(() => undefined);
    this.ended.catch(() => undefined);
    this.failed = new Promise<never>((_resolve, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined);
  }

  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    if (!this.stream.write(chunk)) await Promise.race([this.drained(), this.failed]);
    this.throwIfFailed();
  }

  async flush(): Promise<void> {
    this.throwIfFailed();
    await Promise.race([this.flushStream(this.stream), this.failed]);
    await this.idle();
    await this.next.flush();
  }

  async end(): Promise<void> {
    this.throwIfFailed();
    this.stream.end();
    await Promise.race([this.ended, this.failed]);
    await this.idle();
    await this.next.end();
  }

  async destroy(error?: Error): Promise<void> {
    this.stream.destroy();
    await this.next.destroy(error);
  }

  private forward(chunk: Buffer): void {
    this.stream.pause();
    this.forwarding = true;
    this.next.write(chunk).then(
      () => {
        this.forwarding = false;
        this.stream.resume();
        this.settleIfIdle();
      },
      (error: Error) => this.fail(error),
    );
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (error: Error) => {
        this.stream.off('drain', onDrain);
        reject(error);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  /** Resolves once every byte the duplex has emitted has been written downstream. */
  private idle(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiters.push({ resolve, reject });
      this.settleIfIdle();
    });
  }

  private settleIfIdle(): void {
    if (this.failure) return;
    if (this.forwarding || this.stream.readableLength > 0) return;
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter.resolve();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.rejectFailed(error);
    this.stream.destroy();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

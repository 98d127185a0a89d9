import { ReadableStream, type ReadableStreamDefaultController, type ReadableStreamDefaultReader } from 'node:stream/web';
import * as openpgp from 'openpgp';
import type { ByteSink, Encryptor } from '@export-service/export-core';

/** Bytes queued in front of openpgp before `write` waits for it to read more. */
const INPUT_HIGH_WATER_MARK = 256 * 1024;

/**
 * Pinned so a change to the global `openpgp.config` cannot break gpg 2.2 compatibility or `maxOutput`:
 * SEIPD v1 + MDC (no AEAD), iterated+salted S2K (no argon2), no compression (the input already is).
 */
const CONFIG: openpgp.PartialConfig = {
  preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
  aeadProtect: false,
  s2kType: openpgp.enums.s2k.iterated,
};

/** SKESK v4: 2-byte header, version, cipher, S2K (type, hash, 8-byte salt, count), encrypted cipher byte + 32-byte key. */
const SKESK_BYTES = 2 + 2 + 11 + 33;
/** Literal packet body before the data: format, filename length (0), 4-byte date. */
const LITERAL_HEADER_BYTES = 6;
/** SEIPD v1 body around the literal packet: version, random prefix (16 + 2), MDC packet (2 + 20). */
const SEIPD_EXTRA_BYTES = 1 + 18 + 22;
/** Covers anything the derivation missed (a longer filename or S2K specifier); small next to the 1/512 framing slack. */
const SAFETY_BYTES = 256;

/**
 * One packet streamed with partial body lengths, as openpgp writes it: the tag, a 1-byte header per chunk
 * (each at least 512 bytes, so at most floor(body / 512) of them) and a final length of at most 5 bytes.
 */
function partialPacketBound(body: number): number {
  return 1 + body + Math.floor(body / 512) + 5;
}

/**
 * Feeds writes into openpgp's streaming encryption through a bounded, pull-based web stream and forwards the
 * ciphertext to `next` one awaited chunk at a time, so a slow `next` stalls openpgp, which stalls `write`.
 */
class OpenpgpSink implements ByteSink {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private room: (() => void) | null = null;
  private failure: Error | null = null;
  private nextCalls: Promise<void> = Promise.resolve();
  private destroying: Promise<void> | null = null;
  private readonly pumped: Promise<void>;

  constructor(
    private readonly next: ByteSink,
    password: string,
  ) {
    // Pull-based source: openpgp reads as fast as `next` accepts ciphertext, and `write` waits when the queue is full.
    const input = new ReadableStream<Uint8Array>(
      {
        start: (controller) => void (this.controller = controller),
        pull: () => this.wake(),
        cancel: (reason: unknown) => this.fail(toError(reason)),
      },
      { highWaterMark: INPUT_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
    );
    this.pumped = this.pump(input, password);
    this.pumped.catch(() => undefined);
  }

  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    // A copy: write resolves before openpgp reads the chunk, and the caller may reuse its buffer.
    if (chunk.length > 0) this.controller.enqueue(new Uint8Array(chunk));
    while (!this.failure && (this.controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (this.room = resolve));
    this.throwIfFailed();
  }

  /**
   * Forwards the ciphertext openpgp has already produced, then flushes `next`. Best effort: openpgp cannot be
   * made to close a partial packet, so bytes still queued or framed inside it (bounded: the input queue, a chunk
   * per stream stage, the partial-length remainder) come out later. Byte counts belong before this stage.
   */
  async flush(): Promise<void> {
    this.throwIfFailed();
    // openpgp's transforms are promise chains: one macrotask turn lets queued input reach the output reader.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.serial(() => this.next.flush());
    this.throwIfFailed();
  }

  async end(): Promise<void> {
    this.throwIfFailed();
    this.controller.close();
    await this.pumped;
    await this.serial(() => this.next.end());
  }

  destroy(error?: Error): Promise<void> {
    this.destroying ??= (async () => {
      this.fail(error ?? new Error('OpenPGP encryption was destroyed'));
      await this.reader?.cancel(this.failure).catch(() => undefined);
      await this.next.destroy(error);
    })();
    return this.destroying;
  }

  private async pump(input: ReadableStream<Uint8Array>, password: string): Promise<void> {
    try {
      const message = await openpgp.createMessage({ binary: input, format: 'binary' });
      // openpgp's stream types come from an optional peer package that is not installed, so annotate the result.
      const encrypted: ReadableStream<Uint8Array> = await openpgp.encrypt({ message, passwords: [password], format: 'binary', config: CONFIG });
      this.reader = encrypted.getReader();
      if (this.failure) throw this.failure;
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        await this.serial(() => this.next.write(chunk));
      }
      this.throwIfFailed();
    } catch (error) {
      this.fail(toError(error));
      await this.reader?.cancel(this.failure).catch(() => undefined);
      throw this.failure;
    }
  }

  /** Runs calls to `next` one at a time: the pump's writes and the caller's flush/end must not overlap. */
  private serial(call: () => Promise<void>): Promise<void> {
    const run = this.nextCalls.then(call);
    this.nextCalls = run.catch(() => undefined);
    return run;
  }

  private wake(): void {
    const room = this.room;
    this.room = null;
    room?.();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    try {
      this.controller.error(error);
    } catch {
      // Already closed or errored.
    }
    this.wake();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(`OpenPGP encryption failed: ${String(reason)}`);
}

/**
 * `.gpg`: OpenPGP password encryption (AES-256, SEIPD v1 with MDC, iterated S2K, no compression) that
 * `gpg --decrypt` 2.2+ opens. Streams in bounded memory. `flush` cannot empty openpgp's own buffer, so split
 * sizes must be counted before this stage; `maxOutput` adds the worst-case overhead.
 */
export const openpgpEncryptor: Encryptor = {
  extension: 'gpg',
  open: (next, password) => new OpenpgpSink(next, password),
  maxOutput: (n) => {
    const seipdBody = SEIPD_EXTRA_BYTES + partialPacketBound(LITERAL_HEADER_BYTES + n);
    return SKESK_BYTES + partialPacketBound(seipdBody) + SAFETY_BYTES;
  },
};

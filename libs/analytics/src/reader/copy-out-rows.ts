import { Readable } from 'node:stream';
import type { RowChunk } from '@export-service/export-core';

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'
const HEADER_BYTES = 5;
const EMPTY = Buffer.alloc(0);

/** The parts of pg's connection this reader borrows (the same ones pg-copy-streams uses). */
interface PgConnection {
  stream: Readable;
  query(text: string): void;
}

/**
 * `COPY ... TO STDOUT` as a stream of row-aligned chunks. PostgreSQL sends exactly one CopyData
 * message per row, so the protocol itself marks row ends: no CSV or JSON is parsed in JavaScript.
 * Payloads are packed into chunks of about `chunkBytes`, never one chunk per row.
 * Pass it to `client.query()`; it takes over the socket until CopyDone and then hands it back.
 */
export class CopyOutRows extends Readable {
  /** Rows PostgreSQL reported in CommandComplete. */
  rowCount = 0;
  private connection: PgConnection | null = null;
  private pgDataHandler: ((chunk: Buffer) => void) | null = null;
  private pending: Buffer = EMPTY;
  private slab: Buffer;
  private slabUsed = 0;
  private ends = new Uint32Array(4096);
  private rowsInSlab = 0;
  private isWanted = false;
  private isForwarding = false;
  private isDone = false;

  constructor(
    private readonly text: string,
    private readonly chunkBytes = 256 * 1024,
  ) {
    super({ objectMode: true, highWaterMark: 4 });
    this.slab = Buffer.allocUnsafe(chunkBytes);
  }

  /** Called by pg when the query is dispatched. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const socket = connection.stream;
    const listeners = socket.listeners('data') as Array<(chunk: Buffer) => void>;
    if (listeners.length !== 1) throw new Error('unexpected pg connection state');
    this.pgDataHandler = listeners[0] as (chunk: Buffer) => void;
    socket.removeListener('data', this.pgDataHandler);
    socket.pause();
    socket.on('readable', this.onReadable);
    connection.query(this.text);
    this.forward();
  }

  /** Called by pg when the server reports an error (after the socket is handed back). */
  handleError(error: Error): void {
    this.destroy(error);
  }

  /** Called by pg with `COPY <n>`. */
  handleCommandComplete(message: { text?: string }): void {
    const match = /COPY (\d+)/.exec(message?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {}

  override _read(): void {
    this.isWanted = true;
    this.forward();
  }

  private readonly onReadable = (): void => this.forward();

  private forward(): void {
    if (this.isForwarding || !this.isWanted || !this.connection || this.isDone) return;
    this.isForwarding = true;
    let chunk: Buffer | null;
    while (this.isWanted && !this.isDone && (chunk = this.connection.stream.read() as Buffer | null) !== null) this.parse(chunk);
    this.isForwarding = false;
  }

  private parse(chunk: Buffer): void {
    let data = chunk;
    if (this.pending.length > 0) {
      // Only the one message that spans two socket reads is stitched; the rest is parsed in place.
      const whole = this.completePending(chunk);
      if (!whole) return;
      const stitched = this.consume(whole.message);
      if (stitched.end !== 'more') return this.finish(stitched.end, Buffer.concat([whole.message.subarray(stitched.offset), chunk.subarray(whole.used)]));
      data = chunk.subarray(whole.used);
    }
    const result = this.consume(data);
    if (result.end !== 'more') return this.finish(result.end, data.subarray(result.offset));
    this.pending = Buffer.from(data.subarray(result.offset));
    if (this.slabUsed >= this.chunkBytes / 2) this.flushSlab();
  }

  /** Adds the start of `chunk` to the pending partial message; returns it once whole. */
  private completePending(chunk: Buffer): { message: Buffer; used: number } | null {
    const header = this.pending.length >= HEADER_BYTES ? this.pending : Buffer.concat([this.pending, chunk.subarray(0, HEADER_BYTES - this.pending.length)]);
    if (header.length < HEADER_BYTES) {
      this.pending = header;
      return null;
    }
    const missing = 1 + header.readUInt32BE(1) - this.pending.length;
    if (chunk.length < missing) {
      this.pending = Buffer.concat([this.pending, chunk]);
      return null;
    }
    const message = Buffer.concat([this.pending, chunk.subarray(0, missing)]);
    this.pending = EMPTY;
    return { message, used: missing };
  }

  /**
   * Handles the whole messages in `data`: rows go to the slab. Stops at the end of the data
   * (`more`, `offset` = where a partial message starts), after CopyDone (`done`), or at an
   * ErrorResponse (`error`); `offset` is then the first byte pg must see.
   */
  private consume(data: Buffer): { end: 'more' | 'done' | 'error'; offset: number } {
    let offset = 0;
    while (data.length - offset >= HEADER_BYTES) {
      const code = data[offset] as number;
      if (code === ERROR_RESPONSE) return { end: 'error', offset };
      const length = data.readUInt32BE(offset + 1) - 4;
      if (data.length - offset - HEADER_BYTES < length) break;
      const start = offset + HEADER_BYTES;
      offset = start + length;
      if (code === COPY_DATA) this.addRow(data, start, offset);
      else if (code === COPY_DONE) return { end: 'done', offset };
    }
    return { end: 'more', offset };
  }

  /** Ends the COPY: hands pg everything not yet parsed (CommandComplete, ReadyForQuery, or the error). */
  private finish(end: 'done' | 'error', unread: Buffer): void {
    if (end === 'done') this.flushSlab();
    this.handBack(unread);
    if (end === 'done') this.push(null);
  }

  private addRow(data: Buffer, start: number, end: number): void {
    const length = end - start;
    if (this.slabUsed + length > this.slab.length) {
      this.flushSlab();
      if (length > this.slab.length) this.slab = Buffer.allocUnsafe(length);
    }
    data.copy(this.slab, this.slabUsed, start, end);
    this.slabUsed += length;
    if (this.rowsInSlab === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.rowsInSlab] = this.slabUsed;
    this.rowsInSlab += 1;
  }

  private flushSlab(): void {
    if (this.rowsInSlab === 0) return;
    const rows: RowChunk = { data: this.slab.subarray(0, this.slabUsed), ends: this.ends.slice(0, this.rowsInSlab) };
    this.slab = Buffer.allocUnsafe(this.chunkBytes);
    this.slabUsed = 0;
    this.rowsInSlab = 0;
    this.isWanted = this.push(rows);
  }

  /** Gives the socket back to pg, with whatever it has not parsed yet (CommandComplete, an error). */
  private handBack(unread: Buffer): void {
    this.isDone = true;
    const connection = this.connection as PgConnection;
    const socket = connection.stream;
    socket.removeListener('readable', this.onReadable);
    const handler = this.pgDataHandler as (chunk: Buffer) => void;
    socket.on('data', handler);
    if (unread.length > 0) handler(Buffer.from(unread));
    process.nextTick(() => socket.resume());
  }
}

import { failWith, FailureCode } from '@export-service/errors';
import type { PartEncoder } from '../ports/encoder';
import type { RowChunk } from '../ports/row-source';
import { rowsThatFit, splitRows } from './row-chunk';

/** A file opened by the part writer. */
export interface OpenPart {
  encoder: PartEncoder;
  /** Upper bound of the final size if `rowBytes` more row bytes are written after the last flush. */
  maxFinalBytes(rowBytes: number): number;
}

/** A closed part and the rows it holds. */
export interface ClosedPart<T> {
  index: number;
  rows: number;
  file: T;
}

/** How the part writer opens and closes files. */
export interface PartLifecycle<P extends OpenPart, T> {
  open(index: number): Promise<P>;
  close(part: P): Promise<T>;
}

/** Below this share of the limit left, a part is closed instead of squeezing in more rows. */
const NEARLY_FULL_SHARE = 1 / 128;

/**
 * Writes rows into one file after another and rolls to a new file before one would pass `maxBytes`
 * of its final bytes. Sizes are bounded, not guessed: a write goes in only if the worst case still
 * fits; near the limit the chain is flushed so the size so far is exact, then as many rows as still
 * fit go in. Rows are never cut.
 */
export class PartWriter<P extends OpenPart, T> {
  private current: P | null = null;
  private rowsInCurrent = 0;
  private rowBytesSinceFlush = 0;
  private opened = 0;
  /** True right after a flush: the size so far is then known to the byte. */
  private isExact = false;
  private readonly closed: Array<ClosedPart<T>> = [];

  constructor(
    private readonly lifecycle: PartLifecycle<P, T>,
    private readonly maxBytes: number | null,
    private readonly onRows: (rows: number) => void,
  ) {}

  /** Writes whole rows, rolling files as needed. */
  async write(chunk: RowChunk): Promise<void> {
    let rest = chunk;
    while (rest.ends.length > 0) {
      const part = this.current ?? (await this.openNext());
      const fitting = this.rowsFitting(part, rest);
      if (fitting === rest.ends.length) {
        await this.writeRows(part, rest);
        return;
      }
      if (!this.isExact) {
        await part.encoder.flush();
        this.rowBytesSinceFlush = 0;
        this.isExact = true;
        continue;
      }
      if (fitting === 0 || (this.rowsInCurrent > 0 && this.isNearlyFull(part))) {
        if (this.rowsInCurrent === 0) {
          throw failWith(FailureCode.rowTooLarge, `a single row does not fit in max_size_mb (${this.maxBytes} bytes with headers); raise max_size_mb`);
        }
        await this.closeCurrent();
        continue;
      }
      const [head, tail] = splitRows(rest, fitting);
      await this.writeRows(part, head);
      rest = tail;
    }
  }

  /** Closes the last file; an empty source still gets one (empty but valid) file. */
  async finish(): Promise<Array<ClosedPart<T>>> {
    if (!this.current && this.opened === 0) await this.openNext();
    if (this.current) await this.closeCurrent();
    return this.closed;
  }

  /** Abandons the open file, if any. */
  async destroy(error?: Error): Promise<void> {
    const part = this.current;
    this.current = null;
    if (part) await part.encoder.destroy(error);
  }

  private rowsFitting(part: OpenPart, chunk: RowChunk): number {
    const limit = this.maxBytes;
    if (limit === null) return chunk.ends.length;
    return rowsThatFit(chunk, (bytes) => part.maxFinalBytes(this.rowBytesSinceFlush + bytes) <= limit);
  }

  private isNearlyFull(part: OpenPart): boolean {
    const limit = this.maxBytes as number;
    return limit - part.maxFinalBytes(0) < limit * NEARLY_FULL_SHARE;
  }

  private async writeRows(part: OpenPart, chunk: RowChunk): Promise<void> {
    await part.encoder.writeRows(chunk);
    this.rowsInCurrent += chunk.ends.length;
    this.rowBytesSinceFlush += chunk.data.length;
    this.isExact = false;
    this.onRows(chunk.ends.length);
  }

  private async openNext(): Promise<P> {
    this.opened += 1;
    this.current = await this.lifecycle.open(this.opened);
    this.rowsInCurrent = 0;
    this.rowBytesSinceFlush = 0;
    this.isExact = false;
    return this.current;
  }

  private async closeCurrent(): Promise<void> {
    const part = this.current as P;
    this.current = null;
    const file = await this.lifecycle.close(part);
    this.closed.push({ index: this.opened, rows: this.rowsInCurrent, file });
  }
}

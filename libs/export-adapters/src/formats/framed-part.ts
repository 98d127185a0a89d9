import type { ByteSink, PartEncoder, RowChunk } from '@export-service/export-core';

/** Bytes a text format puts around its rows. */
export interface TextFrame {
  header: Buffer;
  /** Footer after at least one row, and after none. */
  footer: (hasRows: boolean) => Buffer;
  /** Bytes at the end of every row that must not follow the last one (JSON's `,\n`). */
  rowSeparatorBytes: number;
}

/**
 * A text file: header, the rows exactly as PostgreSQL rendered them, footer. A separator ending
 * each row is held back until the next row arrives, so the last row goes without it.
 */
export class FramedPart implements PartEncoder {
  private isStarted = false;
  private hasRows = false;
  private heldSeparator: Buffer = Buffer.alloc(0);

  constructor(
    private readonly next: ByteSink,
    private readonly frame: TextFrame,
  ) {}

  async writeRows(chunk: RowChunk): Promise<void> {
    if (chunk.ends.length === 0) return;
    await this.start();
    const cut = chunk.data.length - this.frame.rowSeparatorBytes;
    const body = this.heldSeparator.length > 0 ? Buffer.concat([this.heldSeparator, chunk.data.subarray(0, cut)]) : chunk.data.subarray(0, cut);
    this.heldSeparator = Buffer.from(chunk.data.subarray(cut));
    this.hasRows = true;
    await this.next.write(body);
  }

  async flush(): Promise<void> {
    await this.start();
    await this.next.flush();
  }

  async finish(): Promise<void> {
    await this.start();
    const footer = this.frame.footer(this.hasRows);
    if (footer.length > 0) await this.next.write(footer);
    await this.next.end();
  }

  destroy(error?: Error): Promise<void> {
    return this.next.destroy(error);
  }

  async start(): Promise<void> {
    if (this.isStarted) return;
    this.isStarted = true;
    if (this.frame.header.length > 0) await this.next.write(this.frame.header);
  }
}

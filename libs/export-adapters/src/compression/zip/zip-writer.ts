import { createDeflateRaw, crc32 } from 'node:zlib';
import { DuplexSink, type ByteSink } from '@export-service/export-core';
import { flushZlib, ZLIB_CHUNK_BYTES } from '../zlib-flush';
import { WinZipAesSink } from './winzip-aes.sink';
import { centralDirectoryHeader, dataDescriptor, dosDateTime, endOfCentralDirectory, localFileHeader, METHOD, type EntryRecord } from './zip-records';

/** How one entry is stored. */
export interface ZipEntryOptions {
  /** Deflate the entry (false stores it as is). */
  deflate: boolean;
  /** zlib level, 1 (fast) to 9. */
  level?: number;
  /** Encrypts the entry with WinZip AES-256 when set. */
  password?: string;
  modifiedAt?: Date;
}

/**
 * Writes a ZIP archive into a ByteSink, one streamed entry at a time, with data descriptors (sizes are
 * not known up front), UTF-8 names, Zip64 records once anything passes 4 GiB, and optional WinZip
 * AES-256 per entry. Each entry can be flushed, so the archive size so far is exact at any point.
 */
export class ZipWriter {
  private offset = 0;
  private readonly records: EntryRecord[] = [];
  private isEntryOpen = false;

  constructor(private readonly next: ByteSink) {}

  /** Starts an entry; write its content into the returned sink and end it before the next one. */
  async openEntry(name: string, options: ZipEntryOptions): Promise<ZipEntry> {
    if (this.isEntryOpen) throw new Error('end the open zip entry before starting another');
    this.isEntryOpen = true;
    const { dosTime, dosDate } = dosDateTime(options.modifiedAt ?? new Date());
    const isEncrypted = options.password !== undefined;
    const innerMethod = options.deflate ? METHOD.deflate : METHOD.stored;
    const record: EntryRecord = {
      name: Buffer.from(name, 'utf8'),
      method: isEncrypted ? METHOD.winzipAes : innerMethod,
      innerMethod,
      isEncrypted,
      crc32: 0,
      compressedSize: 0,
      uncompressedSize: 0,
      localHeaderOffset: this.offset,
      dosTime,
      dosDate,
    };
    await this.emit(localFileHeader(record));
    return new ZipEntry(this, record, options);
  }

  /** Adds a small entry from memory. */
  async addFile(name: string, content: Buffer, options: ZipEntryOptions): Promise<void> {
    const entry = await this.openEntry(name, options);
    await entry.write(content);
    await entry.end();
  }

  /** Writes the central directory and end records, then ends the sink below. */
  async finish(): Promise<void> {
    if (this.isEntryOpen) throw new Error('end the open zip entry before finishing the archive');
    const directoryOffset = this.offset;
    for (const record of this.records) await this.emit(centralDirectoryHeader(record));
    await this.emit(endOfCentralDirectory(this.records.length, directoryOffset, this.offset - directoryOffset));
    await this.next.end();
  }

  flush(): Promise<void> {
    return this.next.flush();
  }

  destroy(error?: Error): Promise<void> {
    return this.next.destroy(error);
  }

  /** @internal Archive bytes, with the offset kept for the central directory. */
  async emit(bytes: Buffer): Promise<void> {
    this.offset += bytes.length;
    await this.next.write(bytes);
  }

  /** @internal Called by an entry once its descriptor is written. */
  closeEntry(record: EntryRecord): void {
    this.records.push(record);
    this.isEntryOpen = false;
  }
}

/** The content of one zip entry: CRC and sizes are counted as it streams. */
export class ZipEntry implements ByteSink {
  private readonly body: ByteSink;

  constructor(
    private readonly writer: ZipWriter,
    private readonly record: EntryRecord,
    options: ZipEntryOptions,
  ) {
    // The entry's data ends with the entry, not with the archive, so `end` stops here.
    const data: ByteSink = {
      write: (chunk) => {
        record.compressedSize += chunk.length;
        return writer.emit(chunk);
      },
      flush: () => writer.flush(),
      end: async () => undefined,
      destroy: (error) => writer.destroy(error),
    };
    const sealed = options.password === undefined ? data : new WinZipAesSink(options.password, data);
    this.body = options.deflate ? new DuplexSink(createDeflateRaw({ level: options.level ?? 1, chunkSize: ZLIB_CHUNK_BYTES }), sealed, flushZlib) : sealed;
  }

  async write(chunk: Buffer): Promise<void> {
    // Node's crc32 answers 0 for an empty buffer that has been through a zlib stream (NULL data pointer).
    if (chunk.length === 0) return;
    // AE-2 stores no CRC: the HMAC authenticates the data instead.
    if (!this.record.isEncrypted) this.record.crc32 = crc32(chunk, this.record.crc32);
    this.record.uncompressedSize += chunk.length;
    return this.body.write(chunk);
  }

  flush(): Promise<void> {
    return this.body.flush();
  }

  async end(): Promise<void> {
    await this.body.end();
    await this.writer.emit(dataDescriptor(this.record));
    this.writer.closeEntry(this.record);
  }

  destroy(error?: Error): Promise<void> {
    return this.body.destroy(error);
  }
}

import type { ByteSink, CompressOptions, Compressor } from '@export-service/export-core';
import { deflateBound } from './zlib-flush';
import { WINZIP_AES_OVERHEAD } from './zip/winzip-aes.sink';
import { ZipWriter, type ZipEntry } from './zip/zip-writer';
import { MAX_END_BYTES, MAX_RECORD_BYTES_PER_ENTRY } from './zip/zip-records';

/** A zip archive holding the one file, opened on first use so an empty file still gets an entry. */
class SingleEntryZipSink implements ByteSink {
  private readonly writer: ZipWriter;
  private entry: Promise<ZipEntry> | null = null;

  constructor(
    next: ByteSink,
    private readonly options: CompressOptions,
  ) {
    this.writer = new ZipWriter(next);
  }

  async write(chunk: Buffer): Promise<void> {
    await (await this.opened()).write(chunk);
  }

  async flush(): Promise<void> {
    await (await this.opened()).flush();
  }

  async end(): Promise<void> {
    await (await this.opened()).end();
    await this.writer.finish();
  }

  async destroy(error?: Error): Promise<void> {
    await this.writer.destroy(error);
  }

  private opened(): Promise<ZipEntry> {
    this.entry ??= this.writer.openEntry(this.options.entryName, { deflate: true, level: 1, password: this.options.password });
    return this.entry;
  }
}

/** `.zip` with one deflated entry per file; WinZip AES-256 inside when the export is encrypted. */
export const zipCompressor: Compressor = {
  compression: 'zip',
  extension: 'zip',
  encryptsInside: true,
  open: (next, options) => new SingleEntryZipSink(next, options),
  maxOutput: (n) => deflateBound(n) + WINZIP_AES_OVERHEAD + MAX_RECORD_BYTES_PER_ENTRY + MAX_END_BYTES,
};

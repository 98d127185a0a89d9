import type { Compression } from '@export-service/contracts';
import type { Compressor } from '@export-service/export-core';
import { bz2Compressor } from './bz2.compressor';
import { gzipCompressor } from './gzip.compressor';
import { noneCompressor } from './none.compressor';
import { zipCompressor } from './zip.compressor';

/** Every compression of the spec; a missing one is a compile error. */
export const compressors = {
  none: noneCompressor,
  gzip: gzipCompressor,
  zip: zipCompressor,
  bz2: bz2Compressor,
} as const satisfies Record<Compression, Compressor>;

export { ZipWriter, ZipEntry, type ZipEntryOptions } from './zip/zip-writer';
export { deflateBound, flushZlib } from './zlib-flush';
export { bzip2Command } from './bzip2-command';

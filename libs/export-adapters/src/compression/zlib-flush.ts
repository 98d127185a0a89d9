import type { Duplex } from 'node:stream';
import { constants, type Deflate, type DeflateRaw, type Gzip } from 'node:zlib';

/** Flushes a zlib compressor so everything written so far is emitted (the dictionary is kept). */
export function flushZlib(stream: Duplex): Promise<void> {
  return new Promise((resolve) => (stream as Gzip | Deflate | DeflateRaw).flush(constants.Z_SYNC_FLUSH, () => resolve()));
}

/**
 * Most bytes deflate can emit for `n` input bytes plus one sync flush: zlib's own bound
 * (stored blocks, 5 bytes per 64 KiB) rounded up generously, so it holds at every level.
 */
export function deflateBound(n: number): number {
  return n + Math.ceil(n / 1024) + 64;
}

/** zlib output chunk: 128 KiB instead of 16 KiB cuts callbacks and garbage on the main thread ~8×. */
export const ZLIB_CHUNK_BYTES = 128 * 1024;

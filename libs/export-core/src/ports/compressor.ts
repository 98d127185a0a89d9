import type { Compression } from '@export-service/contracts';
import type { ByteSink } from './byte-sink';

/** Options for one compressed file. */
export interface CompressOptions {
  /** Name of the file inside an archive (zip). */
  entryName: string;
  /** When set, the archive encrypts its entry with this password (zip: WinZip AES-256). */
  password?: string;
}

/** Outer compression of a file. Every compressor can flush, so split sizes are exact. */
export interface Compressor {
  readonly compression: Compression;
  /** File-name suffix without the dot, or null. */
  readonly extension: string | null;
  /** True when the compressor encrypts by itself given a password (zip). */
  readonly encryptsInside: boolean;
  open(next: ByteSink, options: CompressOptions): ByteSink;
  /** Most bytes `n` more input bytes can become, trailers and archive records included. */
  maxOutput(n: number): number;
}

/** Encrypts a whole file stream with a password. */
export interface Encryptor {
  readonly extension: string;
  open(next: ByteSink, password: string): ByteSink;
  /** Size of the encrypted file for `n` input bytes, an upper bound. */
  maxOutput(n: number): number;
}

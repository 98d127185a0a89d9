import { createCipheriv, createHmac, pbkdf2Sync, randomBytes, type Cipher, type Hmac } from 'node:crypto';
import type { ByteSink } from '@export-service/export-core';

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MAC_BYTES = 10;

/** Bytes WinZip AES-256 adds to an entry: salt, password verifier and authentication code. */
export const WINZIP_AES_OVERHEAD = SALT_BYTES + 2 + MAC_BYTES;

/**
 * Encrypts one zip entry's data the WinZip AES way (AE-2, AES-256): PBKDF2-HMAC-SHA1 keys, AES in
 * CTR mode with a little-endian counter starting at 1, and HMAC-SHA1 over the ciphertext. The
 * counter is built here and run through AES-ECB because WinZip's counter is little-endian, unlike
 * OpenSSL's CTR mode.
 */
export class WinZipAesSink implements ByteSink {
  private readonly ecb: Cipher;
  private readonly mac: Hmac;
  private readonly preamble: Buffer;
  private isPreambleWritten = false;
  private counter = 1n;
  private keystream = Buffer.alloc(0);

  constructor(
    password: string,
    private readonly next: ByteSink,
  ) {
    const salt = randomBytes(SALT_BYTES);
    const keys = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, 1000, 2 * KEY_BYTES + 2, 'sha1');
    this.ecb = createCipheriv('aes-256-ecb', keys.subarray(0, KEY_BYTES), null);
    this.ecb.setAutoPadding(false);
    this.mac = createHmac('sha1', keys.subarray(KEY_BYTES, 2 * KEY_BYTES));
    this.preamble = Buffer.concat([salt, keys.subarray(2 * KEY_BYTES)]);
  }

  async write(chunk: Buffer): Promise<void> {
    await this.writePreamble();
    const encrypted = this.encrypt(chunk);
    this.mac.update(encrypted);
    await this.next.write(encrypted);
  }

  /** CTR emits every byte at once, so there is nothing of its own to flush. */
  flush(): Promise<void> {
    return this.next.flush();
  }

  async end(): Promise<void> {
    await this.writePreamble();
    await this.next.write(this.mac.digest().subarray(0, MAC_BYTES));
    await this.next.end();
  }

  destroy(error?: Error): Promise<void> {
    return this.next.destroy(error);
  }

  private async writePreamble(): Promise<void> {
    if (this.isPreambleWritten) return;
    this.isPreambleWritten = true;
    await this.next.write(this.preamble);
  }

  private encrypt(data: Buffer): Buffer {
    if (this.keystream.length < data.length) this.extendKeystream(data.length - this.keystream.length);
    const output = Buffer.allocUnsafe(data.length);
    const stream = this.keystream;
    for (let i = 0; i < data.length; i += 1) output[i] = (data[i] as number) ^ (stream[i] as number);
    this.keystream = stream.subarray(data.length);
    return output;
  }

  private extendKeystream(bytes: number): void {
    const next = winzipKeystream(this.ecb, this.counter, bytes);
    this.counter = next.counter;
    this.keystream = Buffer.concat([this.keystream, next.keystream]);
  }
}

/**
 * At least `bytes` more of WinZip's AES-CTR keystream from block `counter` on (a little-endian counter
 * run through AES-ECB), and the counter after it: the same for encrypting and decrypting.
 */
export function winzipKeystream(ecb: Cipher, counter: bigint, bytes: number): { keystream: Buffer; counter: bigint } {
  const blocks = Math.ceil(bytes / 16);
  const counters = Buffer.alloc(blocks * 16);
  let next = counter;
  for (let block = 0; block < blocks; block += 1) {
    counters.writeBigUInt64LE(next, block * 16);
    next += 1n;
  }
  return { keystream: ecb.update(counters), counter: next };
}

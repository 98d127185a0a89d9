import { createCipheriv, createHmac, pbkdf2Sync, timingSafeEqual, type Cipher, type Hmac } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { winzipKeystream } from '../compression/zip/winzip-aes.sink';

const KEY_BYTES = 32;

/**
 * Decrypts one WinZip AES-256 (AE-1/AE-2) entry's data: checks the password verifier before any
 * byte, runs AES-CTR with WinZip's little-endian counter, and checks the HMAC-SHA1 authentication
 * code at the end, so an altered or truncated entry fails instead of yielding wrong bytes.
 */
export class WinZipAesDecryptor extends Transform {
  private readonly ecb: Cipher;
  private readonly mac: Hmac;
  private counter = 1n;
  private keystream = Buffer.alloc(0);

  constructor(
    password: string,
    salt: Buffer,
    verifier: Buffer,
    private readonly expectedMac: Buffer,
  ) {
    super();
    const keys = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, 1000, 2 * KEY_BYTES + 2, 'sha1');
    if (!timingSafeEqual(keys.subarray(2 * KEY_BYTES), verifier)) throw new Error('the password does not open it');
    this.ecb = createCipheriv('aes-256-ecb', keys.subarray(0, KEY_BYTES), null);
    this.ecb.setAutoPadding(false);
    this.mac = createHmac('sha1', keys.subarray(KEY_BYTES, 2 * KEY_BYTES));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.mac.update(chunk);
    if (this.keystream.length < chunk.length) this.extendKeystream(chunk.length - this.keystream.length);
    const output = Buffer.allocUnsafe(chunk.length);
    for (let i = 0; i < chunk.length; i += 1) output[i] = (chunk[i] as number) ^ (this.keystream[i] as number);
    this.keystream = this.keystream.subarray(chunk.length);
    callback(null, output);
  }

  override _flush(callback: TransformCallback): void {
    const mac = this.mac.digest().subarray(0, 10);
    callback(timingSafeEqual(mac, this.expectedMac) ? null : new Error('its authentication code does not match (altered or truncated)'));
  }

  private extendKeystream(bytes: number): void {
    const next = winzipKeystream(this.ecb, this.counter, bytes);
    this.counter = next.counter;
    this.keystream = Buffer.concat([this.keystream, next.keystream]);
  }
}

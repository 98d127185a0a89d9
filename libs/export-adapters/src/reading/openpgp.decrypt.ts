import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as openpgp from 'openpgp';

/**
 * Decrypts a password-encrypted OpenPGP file (what the openpgp encryptor writes) as a stream. The
 * plaintext streams before the MDC is checked at the end (a failing check fails the stream); callers
 * compare the stored file's SHA-256 with the recorded one as well, and load everything or nothing.
 */
export async function decryptOpenpgpFile(path: string, password: string): Promise<Readable> {
  const binaryMessage = Readable.toWeb(createReadStream(path, { highWaterMark: 256 * 1024 })) as unknown as WebReadableStream<Uint8Array>;
  const message = await openpgp.readMessage({ binaryMessage });
  const { data } = await openpgp.decrypt({ message, passwords: [password], format: 'binary', config: { allowUnauthenticatedStream: true } });
  return Readable.fromWeb(data as unknown as WebReadableStream<Uint8Array>);
}

import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';
import { WinZipAesDecryptor } from './winzip-aes.decrypt';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  /** The method applied inside WinZip AES encryption (method 99), or `method`. */
  innerMethod: number;
  isEncrypted: boolean;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** A zip file opened for reading through its central directory (so a truncated archive is noticed at once). */
export class ZipReader {
  private constructor(
    private readonly path: string,
    readonly entries: ZipEntry[],
  ) {}

  /** Reads the central directory; throws a sentence when there is none (truncated or not a zip). */
  static async open(path: string): Promise<ZipReader> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const tailLength = Math.min(size, 22 + 0xffff);
      const tail = await readAt(file, size - tailLength, tailLength);
      let at = -1;
      for (let i = tail.length - 22; i >= 0; i -= 1) {
        if (tail.readUInt32LE(i) === EOCD) {
          at = i;
          break;
        }
      }
      if (at < 0) throw new Error('it has no zip directory at its end (truncated, or not a zip)');
      let count = tail.readUInt16LE(at + 10);
      let directorySize = tail.readUInt32LE(at + 12);
      let directoryOffset = tail.readUInt32LE(at + 16);
      if (directoryOffset === MAX32 || count === 0xffff || directorySize === MAX32) {
        const locatorAt = size - tailLength + at - 20;
        const locator = await readAt(file, locatorAt, 20);
        if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new Error('its Zip64 directory locator is missing');
        const record = await readAt(file, Number(locator.readBigUInt64LE(8)), 56);
        if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new Error('its Zip64 directory record is damaged');
        count = Number(record.readBigUInt64LE(32));
        directorySize = Number(record.readBigUInt64LE(40));
        directoryOffset = Number(record.readBigUInt64LE(48));
      }
      if (directoryOffset + directorySize > size) throw new Error('its zip directory points past the end of the file (truncated)');
      const directory = await readAt(file, directoryOffset, directorySize);
      return new ZipReader(path, parseDirectory(directory, count));
    } finally {
      await file.close();
    }
  }

  /** The entry's bytes, decrypted (WinZip AES) and inflated; the stream fails if its CRC, size or authentication code is wrong. */
  async openEntry(entry: ZipEntry, password: string | null): Promise<Readable> {
    const file = await open(this.path, 'r');
    let dataStart: number;
    let aes: WinZipAesDecryptor | null = null;
    try {
      const local = await readAt(file, entry.localHeaderOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL) throw new Error(`the local header of ${entry.name} is damaged`);
      dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (entry.isEncrypted) {
        if (!password) throw new Error(`${entry.name} is encrypted: a password is needed`);
        const preamble = await readAt(file, dataStart, 18);
        const mac = await readAt(file, dataStart + entry.compressedSize - 10, 10);
        aes = new WinZipAesDecryptor(password, preamble.subarray(0, 16), preamble.subarray(16, 18), mac);
      }
    } finally {
      await file.close();
    }
    const [start, end] = aes ? [dataStart + 18, dataStart + entry.compressedSize - 11] : [dataStart, dataStart + entry.compressedSize - 1];
    let stream: Readable = end < start ? Readable.from([]) : createReadStream(this.path, { start, end, highWaterMark: 256 * 1024 });
    if (aes) stream = stream.pipe(aes);
    if (entry.innerMethod === 8) stream = stream.pipe(createInflateRaw({ chunkSize: 128 * 1024 }));
    else if (entry.innerMethod !== 0) throw new Error(`${entry.name} uses compression method ${entry.innerMethod}, which is not read here`);
    // AE-2 entries carry no CRC (the authentication code protects them instead).
    return stream.pipe(new EntryCheck(entry, aes === null || entry.crc32 !== 0));
  }
}

/** Counts and checksums an entry's bytes and fails at the end when they differ from the directory. */
class EntryCheck extends Transform {
  private crc = 0;
  private bytes = 0;

  constructor(
    private readonly entry: ZipEntry,
    private readonly isCrcChecked: boolean,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.isCrcChecked) this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.entry.uncompressedSize) return callback(new Error(`${this.entry.name} holds ${this.bytes} bytes, its directory says ${this.entry.uncompressedSize}`));
    if (this.isCrcChecked && this.crc >>> 0 !== this.entry.crc32 >>> 0) return callback(new Error(`${this.entry.name} does not match its CRC-32 (damaged)`));
    callback();
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead < length) throw new Error('the archive ends early (truncated)');
  return buffer;
}

function parseDirectory(directory: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index += 1) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw new Error('its zip directory is damaged');
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: directory.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
      method: directory.readUInt16LE(at + 10),
      innerMethod: directory.readUInt16LE(at + 10),
      isEncrypted: (directory.readUInt16LE(at + 8) & 1) === 1,
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    readExtras(directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Zip64 sizes and offsets (in the order the fields that overflowed appear) and the WinZip AES method. */
function readExtras(extras: Buffer, entry: ZipEntry): void {
  for (let at = 0; at + 4 <= extras.length;) {
    const id = extras.readUInt16LE(at);
    const size = extras.readUInt16LE(at + 2);
    const body = extras.subarray(at + 4, at + 4 + size);
    if (id === 0x0001) {
      let offset = 0;
      const next = () => {
        const value = Number(body.readBigUInt64LE(offset));
        offset += 8;
        return value;
      };
      if (entry.uncompressedSize === MAX32) entry.uncompressedSize = next();
      if (entry.compressedSize === MAX32) entry.compressedSize = next();
      if (entry.localHeaderOffset === MAX32) entry.localHeaderOffset = next();
    } else if (id === 0x9901 && size >= 7) {
      entry.innerMethod = body.readUInt16LE(5);
    }
    at += 4 + size;
  }
}

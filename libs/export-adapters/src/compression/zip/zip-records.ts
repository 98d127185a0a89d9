/** Byte layouts of the ZIP records this writer emits (APPNOTE 6.3.x, WinZip AES AE-2). */

const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

/** Compression methods used here. */
export const METHOD = { stored: 0, deflate: 8, winzipAes: 99 } as const;

/** What the central directory must know about a finished entry. */
export interface EntryRecord {
  name: Buffer;
  method: number;
  /** Method actually applied to the data (inside AES). */
  innerMethod: number;
  isEncrypted: boolean;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  dosTime: number;
  dosDate: number;
}

/** DOS date and time fields of an instant (UTC). */
export function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
  const year = Math.max(1980, date.getUTCFullYear());
  return {
    dosTime: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function flags(isEncrypted: boolean): number {
  return FLAG_DATA_DESCRIPTOR | FLAG_UTF8 | (isEncrypted ? FLAG_ENCRYPTED : 0);
}

function versionNeeded(entry: Pick<EntryRecord, 'isEncrypted'>, isZip64: boolean): number {
  if (entry.isEncrypted) return 51;
  return isZip64 ? 45 : 20;
}

/** WinZip AES extra field: AE-2, AES-256, and the method applied inside the encryption. */
function aesExtra(innerMethod: number): Buffer {
  const extra = Buffer.alloc(11);
  extra.writeUInt16LE(0x9901, 0);
  extra.writeUInt16LE(7, 2);
  extra.writeUInt16LE(2, 4);
  extra.write('AE', 6, 'latin1');
  extra.writeUInt8(3, 8);
  extra.writeUInt16LE(innerMethod, 9);
  return extra;
}

/** Local file header; sizes and CRC follow in the data descriptor. */
export function localFileHeader(entry: Omit<EntryRecord, 'crc32' | 'compressedSize' | 'uncompressedSize' | 'localHeaderOffset'>): Buffer {
  const extra = entry.isEncrypted ? aesExtra(entry.innerMethod) : Buffer.alloc(0);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(versionNeeded(entry, false), 4);
  header.writeUInt16LE(flags(entry.isEncrypted), 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(entry.dosTime, 10);
  header.writeUInt16LE(entry.dosDate, 12);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, entry.name, extra]);
}

/** Data descriptor; 64-bit sizes once either size passes 4 GiB (as the central directory then says Zip64). */
export function dataDescriptor(entry: EntryRecord): Buffer {
  const isZip64 = entry.compressedSize >= MAX32 || entry.uncompressedSize >= MAX32;
  const descriptor = Buffer.alloc(isZip64 ? 24 : 16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(entry.crc32 >>> 0, 4);
  if (isZip64) {
    descriptor.writeBigUInt64LE(BigInt(entry.compressedSize), 8);
    descriptor.writeBigUInt64LE(BigInt(entry.uncompressedSize), 16);
  } else {
    descriptor.writeUInt32LE(entry.compressedSize, 8);
    descriptor.writeUInt32LE(entry.uncompressedSize, 12);
  }
  return descriptor;
}

/** Central directory header, with a Zip64 extra field for any value past 32 bits. */
export function centralDirectoryHeader(entry: EntryRecord): Buffer {
  const zip64Values: bigint[] = [];
  if (entry.uncompressedSize >= MAX32) zip64Values.push(BigInt(entry.uncompressedSize));
  if (entry.compressedSize >= MAX32) zip64Values.push(BigInt(entry.compressedSize));
  if (entry.localHeaderOffset >= MAX32) zip64Values.push(BigInt(entry.localHeaderOffset));
  const extras: Buffer[] = [];
  if (zip64Values.length > 0) {
    const zip64 = Buffer.alloc(4 + 8 * zip64Values.length);
    zip64.writeUInt16LE(0x0001, 0);
    zip64.writeUInt16LE(8 * zip64Values.length, 2);
    zip64Values.forEach((value, index) => zip64.writeBigUInt64LE(value, 4 + 8 * index));
    extras.push(zip64);
  }
  if (entry.isEncrypted) extras.push(aesExtra(entry.innerMethod));
  const extra = Buffer.concat(extras);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE((3 << 8) | 63, 4);
  header.writeUInt16LE(versionNeeded(entry, zip64Values.length > 0), 6);
  header.writeUInt16LE(flags(entry.isEncrypted), 8);
  header.writeUInt16LE(entry.method, 10);
  header.writeUInt16LE(entry.dosTime, 12);
  header.writeUInt16LE(entry.dosDate, 14);
  header.writeUInt32LE(entry.crc32 >>> 0, 16);
  header.writeUInt32LE(Math.min(entry.compressedSize, MAX32), 20);
  header.writeUInt32LE(Math.min(entry.uncompressedSize, MAX32), 24);
  header.writeUInt16LE(entry.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  header.writeUInt32LE(Math.min(entry.localHeaderOffset, MAX32), 42);
  return Buffer.concat([header, entry.name, extra]);
}

/** End records: Zip64 end record and locator when any count or offset overflows, then the classic one. */
export function endOfCentralDirectory(entries: number, directoryOffset: number, directorySize: number): Buffer {
  const isZip64 = entries >= MAX16 || directoryOffset >= MAX32 || directorySize >= MAX32;
  const records: Buffer[] = [];
  if (isZip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE((3 << 8) | 63, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries), 24);
    record.writeBigUInt64LE(BigInt(entries), 32);
    record.writeBigUInt64LE(BigInt(directorySize), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
    locator.writeUInt32LE(1, 16);
    records.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries, MAX16), 8);
  end.writeUInt16LE(Math.min(entries, MAX16), 10);
  end.writeUInt32LE(Math.min(directorySize, MAX32), 12);
  end.writeUInt32LE(Math.min(directoryOffset, MAX32), 16);
  records.push(end);
  return Buffer.concat(records);
}

/** Most bytes the records around one entry can take, whatever its size (name up to 255 bytes). */
export const MAX_RECORD_BYTES_PER_ENTRY = 30 + 255 + 11 + 24 + 46 + 255 + 28 + 11;

/** Most bytes of the end records. */
export const MAX_END_BYTES = 56 + 20 + 22;

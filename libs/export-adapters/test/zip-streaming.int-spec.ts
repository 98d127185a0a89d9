import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { makeTempDir, runTool, runToolOk } from '@export-service/testing';
import { compressors } from '../src/compression';

/** One zip file from the export compressor, in memory. */
async function zipOf(content: Buffer, password?: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = compressors.zip.open(
    { write: async (chunk) => void chunks.push(Buffer.from(chunk)), flush: async () => undefined, end: async () => undefined, destroy: async () => undefined },
    { entryName: 'rows.csv', password },
  );
  await sink.write(content);
  await sink.end();
  return Buffer.concat(chunks);
}

it('declares Zip64 in the local header, so readers that stream the archive read its 64-bit data descriptor', async () => {
  const content = Buffer.from('id,text\n'.concat(Array.from({ length: 20_000 }, (_, i) => `${i},row ${i}\n`).join('')), 'utf8');
  const zip = await zipOf(content);
  // Local header: version 45, sizes 0xFFFFFFFF, a Zip64 extra (id 0x0001, 16 bytes) right after the name.
  expect(zip.readUInt32LE(0)).toBe(0x04034b50);
  expect(zip.readUInt16LE(4)).toBe(45);
  expect([zip.readUInt32LE(18), zip.readUInt32LE(22)]).toEqual([0xffffffff, 0xffffffff]);
  const nameLength = zip.readUInt16LE(26);
  expect(zip.readUInt16LE(30 + nameLength)).toBe(0x0001);
  expect(zip.readUInt16LE(32 + nameLength)).toBe(16);

  const dir = await makeTempDir('zip-stream');
  try {
    const path = join(dir.path, 'rows.csv.zip');
    await writeFile(path, zip);
    // libarchive reads the archive as a stream from stdin: no central directory to look at.
    const streamed = await runTool('bsdtar', ['-xOf', '-'], { input: zip });
    expect(streamed.code).toBe(0);
    expect(streamed.stdout.equals(content)).toBe(true);
    expect((await runToolOk('unzip', ['-p', path])).equals(content)).toBe(true);
    expect((await runToolOk('7z', ['x', '-so', path])).equals(content)).toBe(true);
    const python = await runToolOk('python3', ['-c', 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("rows.csv"))', path]);
    expect(python.equals(content)).toBe(true);
  } finally {
    await dir.cleanup();
  }
});

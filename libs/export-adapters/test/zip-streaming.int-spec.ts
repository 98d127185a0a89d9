import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { makeTempDir, runTool, runToolOk } from '@export-service/testing';
import { compressors } from '../src/compression';

const JAVA_READER = join(__dirname, '..', '..', 'testing', 'readers', 'ZipStreamRead.java');

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

it('opens in readers that stream the archive without its central directory (Java, libarchive), and in the rest', async () => {
  const content = Buffer.from('id,text\n'.concat(Array.from({ length: 20_000 }, (_, i) => `${i},row ${i}\n`).join('')), 'utf8');
  const zip = await zipOf(content);
  // Sizes follow the data in a descriptor whose width matches the sizes (Java's ZipInputStream reads it that way).
  expect(zip.readUInt16LE(6) & 0x0008).toBe(0x0008);
  const dir = await makeTempDir('zip-stream');
  try {
    const path = join(dir.path, 'rows.csv.zip');
    await writeFile(path, zip);
    expect((await runToolOk('java', [JAVA_READER, path])).toString('utf8').trim()).toBe(`rows.csv ${content.length}`);
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
}, 60_000);

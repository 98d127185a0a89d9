import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BufferSink, type Compressor } from '@export-service/export-core';
import { makeTempDir, runTool, runToolOk } from '@export-service/testing';
import { compressors } from './index';

const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `${i},user_${i % 97},"quoted, value",ünïcødé ✓,${(i * 1.5).toFixed(2)}\n`).join(''), 'utf8');

async function compress(compressor: Compressor, input: Buffer, options: { chunk?: number; flushEvery?: number; password?: string } = {}): Promise<Buffer> {
  const sink = new BufferSink();
  const stage = compressor.open(sink, { entryName: 'data.csv', password: options.password });
  const chunk = options.chunk ?? 65_536;
  for (let offset = 0, n = 0; offset < input.length; offset += chunk, n += 1) {
    await stage.write(input.subarray(offset, offset + chunk));
    if (options.flushEvery && n % options.flushEvery === 0) await stage.flush();
  }
  await stage.end();
  return sink.toBuffer();
}

let dir: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => (dir = await makeTempDir('compressors')));
afterAll(() => dir.cleanup());

async function saved(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, bytes);
  return path;
}

describe.each([
  ['gzip', ['gzip', ['-dc']]],
  ['bz2', ['bzip2', ['-dc']]],
] as const)('%s', (name, [tool, args]) => {
  const compressor = compressors[name];

  it('round-trips through the real decompressor, with and without flushes', async () => {
    for (const flushEvery of [undefined, 3, 1]) {
      const packed = await compress(compressor, text, { chunk: 50_000, flushEvery });
      expect(packed.length).toBeLessThan(text.length / 2);
      const path = await saved(`data-${flushEvery ?? 0}.${compressor.extension}`, packed);
      expect((await runToolOk(tool, [...args, path])).equals(text)).toBe(true);
      expect((await runToolOk('7z', ['x', '-so', path])).equals(text)).toBe(true);
    }
  });

  it('writes a valid empty file', async () => {
    const path = await saved(`empty.${compressor.extension}`, await compress(compressor, Buffer.alloc(0)));
    expect(await runToolOk(tool, [...args, path])).toHaveLength(0);
  });

  it('never grows past maxOutput, even for random bytes', async () => {
    for (const size of [0, 1, 100_000, 3_000_000]) {
      const input = randomBytes(size);
      expect((await compress(compressor, input, { flushEvery: 5 })).length).toBeLessThanOrEqual(compressor.maxOutput(size));
    }
  });
});

describe('none', () => {
  it('passes bytes through untouched', async () => {
    expect((await compress(compressors.none, text)).equals(text)).toBe(true);
    expect(compressors.none.maxOutput(123)).toBe(123);
  });
});

describe('zip', () => {
  it('holds one deflated entry that unzip and 7-Zip extract byte for byte', async () => {
    const path = await saved('plain.zip', await compress(compressors.zip, text, { flushEvery: 4 }));
    expect((await runToolOk('unzip', ['-Z1', path])).toString().trim()).toBe('data.csv');
    expect((await runToolOk('unzip', ['-p', path, 'data.csv'])).equals(text)).toBe(true);
    expect((await runToolOk('7z', ['x', '-so', path, 'data.csv'])).equals(text)).toBe(true);
    expect((await runTool('7z', ['t', path])).stdout.toString()).toContain('Everything is Ok');
  });

  it('encrypts with WinZip AES-256 that 7-Zip opens only with the password', async () => {
    const password = 'Correct-Horse-Battery-9';
    const packed = await compress(compressors.zip, text, { password, flushEvery: 2 });
    expect(packed.includes(Buffer.from('quoted, value'))).toBe(false);
    const path = await saved('secret.zip', packed);
    const listing = (await runToolOk('7z', ['l', '-slt', `-p${password}`, path])).toString();
    expect(listing).toContain('Method = AES-256 Deflate');
    expect((await runToolOk('7z', ['x', '-so', `-p${password}`, path])).equals(text)).toBe(true);
    const wrong = await runTool('7z', ['x', '-so', '-pwrong-password', path]);
    expect(wrong.code).not.toBe(0);
  });

  it('writes a valid archive for an empty file and stays within maxOutput', async () => {
    const path = await saved('empty.zip', await compress(compressors.zip, Buffer.alloc(0), { password: 'Correct-Horse-Battery-9' }));
    expect((await runTool('7z', ['t', '-pCorrect-Horse-Battery-9', path])).stdout.toString()).toContain('Everything is Ok');
    const noise = randomBytes(2_000_000);
    expect((await compress(compressors.zip, noise, { flushEvery: 3, password: 'x-Password-123' })).length).toBeLessThanOrEqual(compressors.zip.maxOutput(noise.length));
  });
});

describe('zip after zlib has seen an empty buffer', () => {
  it('keeps the right CRC (Node answers crc32 = 0 for an empty buffer zlib has used)', async () => {
    const empty = Buffer.alloc(0);
    const gzip = compressors.gzip.open(new BufferSink(), { entryName: 'x' });
    await gzip.write(empty);
    await gzip.end();
    const sink = new BufferSink();
    const zip = compressors.zip.open(sink, { entryName: 'data.csv' });
    await zip.write(text.subarray(0, 1000));
    await zip.write(empty);
    await zip.end();
    const path = await saved('after-empty.zip', sink.toBuffer());
    expect((await runTool('unzip', ['-t', path])).code).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { chunkOf, FileOutput, PartWriter, type OpenPart, type StreamingEncoder } from '@export-service/export-core';
import { MemoryArtifactStore } from '@export-service/testing';
import { compressors } from '../compression';
import { csvEncoder } from './csv.encoder';
import { jsonEncoder } from './json.encoder';

const columns = [
  { name: 'id', type: 'bigint' as const, nullable: false },
  { name: 'text', type: 'text' as const, nullable: true },
];

/** Writes rows through a part writer and returns every file's bytes and row count. */
async function writeParts(encoder: StreamingEncoder, compression: keyof typeof compressors, rows: string[], maxBytes: number | null, chunkRows = 500) {
  const store = new MemoryArtifactStore();
  const stages = { store, scope: { workspaceId: 'ws', jobId: 'job', runId: 'run' }, compressor: compressors[compression], innerPassword: null, outer: null };
  let processed = 0;
  const writer = new PartWriter<OpenPart & { output: FileOutput }, number>(
    {
      open: async (index) => {
        const output = await FileOutput.open(stages, `part${index}`, `part${index}.csv`);
        const part = encoder.openPart(output.head, { columns, title: 't' });
        await part.start();
        return { output, encoder: part, maxFinalBytes: (n) => output.maxFinalBytes(encoder.maxOutput(n)) };
      },
      close: async (part) => {
        await part.encoder.finish();
        return part.output.result().bytes;
      },
    },
    maxBytes,
    (count) => (processed += count),
  );
  for (let start = 0; start < rows.length; start += chunkRows) await writer.write(chunkOf(rows.slice(start, start + chunkRows)));
  const parts = await writer.finish();
  const files = [...store.files.values()];
  return { parts, files, processed };
}

/** Rows that compress unevenly: repetitive text mixed with random bytes in hex. */
function rows(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${i},"${i % 3 === 0 ? randomBytes(40).toString('hex') : 'same text, again and again'}"\n`);
}

describe('size-bounded splitting', () => {
  it.each(['none', 'gzip', 'zip', 'bz2'] as const)('keeps every %s part within the limit and loses no row', async (compression) => {
    const input = rows(30_000);
    const limit = 120_000;
    const { parts, files, processed } = await writeParts(csvEncoder, compression, input, limit);
    expect(parts.length).toBeGreaterThan(2);
    expect(processed).toBe(input.length);
    expect(parts.reduce((sum, part) => sum + part.rows, 0)).toBe(input.length);
    for (const part of parts) expect(part.file).toBeLessThanOrEqual(limit);
    for (const bytes of files) expect(bytes.length).toBeLessThanOrEqual(limit);
    // Parts are full: all but the last hold more than 90% of the limit.
    for (const part of parts.slice(0, -1)) expect(part.file).toBeGreaterThan(limit * 0.9);
  });

  it('starts every part with its own header and ends every JSON part with its own closed array', async () => {
    const json = Array.from({ length: 5_000 }, (_, i) => `{"id":${i},"text":"${randomBytes(12).toString('hex')}"},\n`);
    const { files } = await writeParts(jsonEncoder, 'gzip', json, 30_000);
    expect(files.length).toBeGreaterThan(1);
    const parsed = files.map((bytes) => JSON.parse(gunzipSync(bytes).toString('utf8')) as Array<{ id: number }>);
    expect(parsed.flat().map((row) => row.id)).toEqual(json.map((_, i) => i));
    const csvFiles = (await writeParts(csvEncoder, 'gzip', rows(10_000), 50_000)).files;
    for (const bytes of csvFiles) expect(gunzipSync(bytes).toString('utf8').startsWith('\uFEFFid,text\n')).toBe(true);
  });

  it('refuses, rather than breaks, a row larger than the limit', async () => {
    await expect(writeParts(csvEncoder, 'none', [`1,"${'x'.repeat(5_000)}"\n`], 1_000)).rejects.toThrow(/a single row does not fit/);
  });

  it('counts the header: a row that fits only without it is refused, one that fits with it is written exactly to the limit', async () => {
    const header = Buffer.from('\uFEFFid,text\n', 'utf8').length;
    const limit = 1_000;
    const rowOf = (bytes: number) => `1,"${'x'.repeat(bytes - 5)}"\n`;
    expect(Buffer.byteLength(rowOf(limit - header))).toBe(limit - header);
    await expect(writeParts(csvEncoder, 'none', [rowOf(limit - header + 1)], limit)).rejects.toThrow(/a single row does not fit/);
    const { files } = await writeParts(csvEncoder, 'none', [rowOf(limit - header)], limit);
    expect(files.map((bytes) => bytes.length)).toEqual([limit]);
  });

  it('writes one valid empty file for no rows', async () => {
    const { parts, files } = await writeParts(jsonEncoder, 'gzip', [], 10_000);
    expect(parts).toHaveLength(1);
    expect(JSON.parse(gunzipSync(files[0]!).toString('utf8'))).toEqual([]);
  });
});

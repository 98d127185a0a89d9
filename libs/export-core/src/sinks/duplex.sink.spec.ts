import { createGzip, constants } from 'node:zlib';
import type { ByteSink } from '../ports/byte-sink';
import { DuplexSink } from './duplex.sink';

/** A sink whose writes fail, as a full disk makes them. */
function failingAfter(bytes: number): ByteSink {
  let written = 0;
  return {
    write: async (chunk) => {
      written += chunk.length;
      if (written > bytes) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    flush: async () => undefined,
    end: async () => undefined,
    destroy: async () => undefined,
  };
}

const flushGzip = (stream: NodeJS.ReadWriteStream) => new Promise<void>((resolve) => (stream as ReturnType<typeof createGzip>).flush(constants.Z_SYNC_FLUSH, () => resolve()));

/** Settles within `ms`, or says it hung. */
function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<'resolved' | 'rejected' | 'hung'> {
  return Promise.race([
    promise.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref()),
  ]);
}

describe('DuplexSink when the next stage fails', () => {
  it('rejects the write, flush and end that follow, never hangs', async () => {
    const sink = new DuplexSink(createGzip({ level: 0 }), failingAfter(1_000), flushGzip);
    const random = Buffer.alloc(256 * 1024, 7);
    const results: string[] = [];
    for (let index = 0; index < 8 && !results.includes('rejected'); index += 1) results.push(await settlesWithin(sink.write(random), 2_000));
    results.push(await settlesWithin(sink.flush(), 2_000));
    results.push(await settlesWithin(sink.end(), 2_000));
    expect(results).not.toContain('hung');
    expect(results.slice(-2)).toEqual(['rejected', 'rejected']);
  });

  it('rejects a flush in flight when the failure comes during it', async () => {
    const sink = new DuplexSink(createGzip({ level: 0 }), failingAfter(10), flushGzip);
    await sink.write(Buffer.alloc(64 * 1024, 1)).catch(() => undefined);
    expect(await settlesWithin(sink.flush(), 2_000)).toBe('rejected');
  });

  it('still passes bytes through when nothing fails', async () => {
    const chunks: Buffer[] = [];
    const sink = new DuplexSink(
      createGzip(),
      { write: async (chunk) => void chunks.push(chunk), flush: async () => undefined, end: async () => undefined, destroy: async () => undefined },
      flushGzip,
    );
    await sink.write(Buffer.from('hello'));
    await sink.flush();
    await sink.end();
    expect(Buffer.concat(chunks).length).toBeGreaterThan(10);
  });
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadableStream } from 'node:stream/web';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { BufferSink, type ByteSink } from '@export-service/export-core';
import { openpgpEncryptor } from './openpgp.encryptor';

const run = promisify(execFile);
const PASSWORD = 'correct horse ✓ battery';
const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `${i},user_${i % 97},"quoted, value",ünïcødé ✓ 日本語,${(i * 1.5).toFixed(2)}\r\n`).join(''), 'utf8');
const binary = Buffer.concat([randomBytes(300_000), Buffer.from([0, 0xff, 0xfe, 0x0d, 0x0a, 0x1a, 0x80])]);

/** Writes `input` through the encryptor in chunks cycling through `chunks`; returns the ciphertext. */
async function encrypt(input: Buffer, chunks: readonly number[] = [65_536]): Promise<Buffer> {
  const sink = new BufferSink();
  const stage = openpgpEncryptor.open(sink, PASSWORD);
  for (let offset = 0, i = 0; offset < input.length; i += 1) {
    const size = chunks[i % chunks.length] as number;
    await stage.write(input.subarray(offset, offset + size));
    offset += size;
  }
  await stage.end();
  expect(sink.isEnded).toBe(true);
  return sink.toBuffer();
}

let dir: string;
let home: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openpgp-encryptor-'));
  home = await mkdtemp(join(tmpdir(), 'openpgp-gnupghome-'));
});
afterAll(async () => {
  await run('gpgconf', ['--homedir', home, '--kill', 'all']).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

async function gpgDecrypt(bytes: Buffer, password: string): Promise<Buffer> {
  const path = join(dir, `${randomBytes(6).toString('hex')}.gpg`);
  await writeFile(path, bytes);
  const args = ['--batch', '--yes', '--no-symkey-cache', '--pinentry-mode', 'loopback', '--passphrase', password, '--homedir', home, '--decrypt', path];
  const { stdout } = await run('gpg', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function openpgpDecrypt(bytes: Buffer, password: string): Promise<Buffer> {
  const message = await openpgp.readMessage({ binaryMessage: new Uint8Array(bytes) });
  const { data }: { data: Uint8Array } = await openpgp.decrypt({ message, passwords: [password], format: 'binary' });
  return Buffer.from(data);
}

describe('openpgpEncryptor', () => {
  it.each([
    ['text', [65_536], text],
    ['text', [1, 10, 1000, 4096, 100_000], text],
    ['binary', [512], binary],
    ['binary', [7, 70_000, 333], binary],
    ['empty', [1], Buffer.alloc(0)],
  ] as const)('round-trips %s written in chunks of %j: gpg and openpgp read it back byte for byte', async (_name, chunks, input) => {
    const encrypted = await encrypt(input, chunks);
    expect(encrypted.subarray(0, 4).equals(Buffer.from([0xc3, 0x2e, 0x04, 0x09]))).toBe(true); // SKESK v4, AES-256
    expect((await gpgDecrypt(encrypted, PASSWORD)).equals(input)).toBe(true);
    expect((await openpgpDecrypt(encrypted, PASSWORD)).equals(input)).toBe(true);
  });

  it('cannot be opened with a wrong password', async () => {
    const encrypted = await encrypt(text);
    await expect(gpgDecrypt(encrypted, 'wrong password')).rejects.toThrow();
    await expect(openpgpDecrypt(encrypted, 'wrong password')).rejects.toThrow();
  });

  it('never grows past maxOutput, which stays within 1% + 2 KiB of the real size', async () => {
    const patterns = [[65_536], [512], [1, 511, 4096, 70_000], [1024 * 1024]] as const;
    for (const size of [0, 1, 511, 512, 513, 65_535, 65_536, 1024 * 1024 + 7, 5 * 1024 * 1024]) {
      const input = randomBytes(size);
      for (const chunks of patterns) {
        const actual = (await encrypt(input, chunks)).length;
        const bound = openpgpEncryptor.maxOutput(size);
        expect(actual).toBeLessThanOrEqual(bound);
        expect(bound).toBeLessThanOrEqual(actual * 1.01 + 2048);
      }
    }
  }, 60_000);

  it('flushes the output it has and then flushes the next stage', async () => {
    const sink = new BufferSink();
    const flush = jest.spyOn(sink, 'flush');
    const stage = openpgpEncryptor.open(sink, PASSWORD);
    for (let i = 0; i < 16; i += 1) await stage.write(binary.subarray(i * 16_384, (i + 1) * 16_384));
    await stage.flush();
    expect(flush).toHaveBeenCalledTimes(1);
    expect(sink.toBuffer().length).toBeGreaterThan(0);
    await stage.write(binary.subarray(262_144));
    await stage.end();
    expect((await openpgpDecrypt(sink.toBuffer(), PASSWORD)).equals(binary)).toBe(true);
  });

  it('rejects write or end when the next stage fails, without unhandled rejections', async () => {
    const failing = new BufferSink();
    jest.spyOn(failing, 'write').mockRejectedValue(new Error('disk full'));
    const stage = openpgpEncryptor.open(failing, PASSWORD);
    const attempt = async () => {
      for (let i = 0; i < 64; i += 1) await stage.write(binary.subarray(0, 65_536));
      await stage.end();
    };
    await expect(attempt()).rejects.toThrow('disk full');
    await stage.destroy(new Error('aborted'));
    // jest fails the running test on an unhandled rejection: give stray ones time to surface here.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('surfaces an error inside openpgp as a rejected write or end', async () => {
    let pulls = 0;
    const broken = new ReadableStream<Uint8Array>({
      pull: (controller) => (pulls++ === 0 ? controller.enqueue(new Uint8Array(100)) : controller.error(new Error('openpgp broke'))),
    });
    // The real module object: the spec's `import * as` namespace only has getters, which jest cannot spy on.
    const encrypt = jest.spyOn(jest.requireActual<typeof openpgp>('openpgp'), 'encrypt').mockResolvedValue(broken as never);
    try {
      const sink = new BufferSink();
      const stage = openpgpEncryptor.open(sink, PASSWORD);
      const attempt = async () => {
        for (let i = 0; i < 64; i += 1) await stage.write(binary.subarray(0, 65_536));
        await stage.end();
      };
      await expect(attempt()).rejects.toThrow('openpgp broke');
      expect(sink.toBuffer()).toHaveLength(100);
      expect(sink.isEnded).toBe(false);
    } finally {
      encrypt.mockRestore();
    }
  });

  it('destroy cancels openpgp, destroys the next stage and is safe to call twice', async () => {
    const sink = new BufferSink();
    const destroy = jest.spyOn(sink, 'destroy');
    const stage = openpgpEncryptor.open(sink, PASSWORD);
    for (let i = 0; i < 8; i += 1) await stage.write(binary.subarray(0, 65_536)); // past the input queue: openpgp is running
    expect(sink.toBuffer().length).toBeGreaterThan(0);
    const error = new Error('cancelled by user');
    await stage.destroy(error);
    await stage.destroy(error);
    expect(destroy).toHaveBeenCalledWith(error);
    await expect(stage.write(binary.subarray(0, 10))).rejects.toThrow('cancelled by user');
    await expect(stage.end()).rejects.toThrow('cancelled by user');
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('applies backpressure: write stops resolving while the next stage is stalled', async () => {
    const sink = new BufferSink();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const write = sink.write.bind(sink);
    jest.spyOn(sink, 'write').mockImplementation(async (chunk) => {
      await gate;
      await write(chunk);
    });
    const stage = openpgpEncryptor.open(sink, PASSWORD);
    const input = randomBytes(64 * 65_536);
    let accepted = 0;
    let pending: Promise<void> | null = null;
    while (accepted < input.length) {
      const attempt = stage.write(input.subarray(accepted, accepted + 65_536));
      const settled = await Promise.race([attempt.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, 50, false))]);
      accepted += 65_536;
      if (!settled) {
        pending = attempt;
        break;
      }
    }
    expect(pending).not.toBeNull();
    expect(accepted).toBeLessThanOrEqual(1024 * 1024);
    release();
    await pending;
    for (; accepted < input.length; accepted += 65_536) await stage.write(input.subarray(accepted, accepted + 65_536));
    await stage.end();
    expect((await openpgpDecrypt(sink.toBuffer(), PASSWORD)).equals(input)).toBe(true);
  });

  it('streams 200 MB with flat memory', async () => {
    let bytes = 0;
    const counting: ByteSink = {
      write: async (chunk) => void (bytes += chunk.length),
      flush: async () => undefined,
      end: async () => undefined,
      destroy: async () => undefined,
    };
    const chunk = randomBytes(64 * 1024);
    const total = 200 * 1024 * 1024;
    const before = process.memoryUsage().rss;
    let peak = before;
    const stage = openpgpEncryptor.open(counting, PASSWORD);
    for (let written = 0, i = 0; written < total; written += chunk.length, i += 1) {
      await stage.write(chunk);
      if (i % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    await stage.end();
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(bytes).toBeGreaterThan(total);
    expect(bytes).toBeLessThanOrEqual(openpgpEncryptor.maxOutput(total));
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  }, 120_000);
});

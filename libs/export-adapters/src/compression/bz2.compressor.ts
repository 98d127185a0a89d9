import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { failWith, FailureCode } from '@export-service/errors';
import { DuplexSink, keepOpen, type ByteSink, type Compressor } from '@export-service/export-core';
import { bzip2Command } from './bzip2-command';

/** Per-stream bytes (header, end-of-stream marker, CRC) plus bzip2's worst-case growth margin. */
const STREAM_OVERHEAD_BYTES = 700;

/** One bzip2 stream: a child encoder process whose output goes into the file. */
class Bzip2Stream {
  readonly sink: DuplexSink;
  private readonly exited: Promise<void>;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;

  constructor(command: string, next: ByteSink) {
    this.child = spawn(command, ['-z', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.child.stderr.on('data', (data: Buffer) => (stderr = `${stderr}${data.toString()}`.slice(-1000)));
    this.exited = new Promise<void>((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} stopped with ${code ?? signal}: ${stderr.trim()}`))));
    });
    this.exited.catch(() => undefined);
    const duplex = Duplex.from({ writable: this.child.stdin, readable: this.child.stdout });
    this.sink = new DuplexSink(duplex, keepOpen(next), () => Promise.reject(new Error('a bzip2 stream cannot flush; end it')));
  }

  async close(): Promise<void> {
    await this.sink.end();
    await this.exited;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/**
 * `.bz2` through a spawned lbzip2. bzip2 cannot flush mid-stream, so a flush ends the current stream
 * and the next write starts another: a multi-stream .bz2, which bzip2, lbzip2, 7-Zip and Python's
 * bz2 module all read as one file. Without size splitting there is one stream.
 */
class Bzip2Sink implements ByteSink {
  private stream: Bzip2Stream | null = null;
  private streams = 0;

  constructor(private readonly next: ByteSink) {}

  write(chunk: Buffer): Promise<void> {
    return this.current().sink.write(chunk);
  }

  async flush(): Promise<void> {
    await this.closeStream();
    await this.next.flush();
  }

  async end(): Promise<void> {
    if (this.streams === 0) this.current();
    await this.closeStream();
    await this.next.end();
  }

  async destroy(error?: Error): Promise<void> {
    this.stream?.kill();
    this.stream = null;
    await this.next.destroy(error);
  }

  private current(): Bzip2Stream {
    if (this.stream) return this.stream;
    const command = bzip2Command();
    if (!command) throw failWith(FailureCode.toolMissing, 'bz2 compression needs lbzip2 or bzip2 installed on the worker');
    this.streams += 1;
    this.stream = new Bzip2Stream(command, this.next);
    return this.stream;
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream) await stream.close();
  }
}

/** `.bz2`: the best ratio of the four, at lbzip2's speed. */
export const bz2Compressor: Compressor = {
  compression: 'bz2',
  extension: 'bz2',
  encryptsInside: false,
  open: (next) => new Bzip2Sink(next),
  maxOutput: (n) => n + Math.ceil(n / 100) + STREAM_OVERHEAD_BYTES,
};

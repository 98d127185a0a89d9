import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { freePort } from './service-process';
import { runTool, runToolOk } from './tools';

/** A redis-server of the test's own (no persistence), so a test can kill and restart it. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: its data is gone). */
  down(): Promise<void>;
  /** Starts a fresh, empty server on the same port. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const isUp = await client
      .connect()
      .then(() => client.ping())
      .then(() => true)
      .catch(() => false);
    client.disconnect();
    if (isUp) return child;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a private redis-server on a free loopback port. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child = await startRedis(port);
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    down: kill,
    async up() {
      child = await startRedis(port);
    },
    stop: kill,
  };
}

/** A size-limited tmpfs at `path` (the test runs as root, as CI does), and how to remove it. */
export async function mountSmallDisk(path: string, megabytes: number): Promise<{ unmount(): Promise<void> }> {
  await mkdir(path, { recursive: true });
  const mounted = await runTool('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', path]);
  if (mounted.code !== 0) throw new Error(`this fault test mounts a ${megabytes} MB tmpfs and needs root (as CI runs): ${mounted.stderr.trim()}`);
  return { unmount: () => runToolOk('umount', ['-l', path]).then(() => undefined) };
}

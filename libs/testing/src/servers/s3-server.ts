import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from '../service-process';
import { makeTempDir } from '../tools';
import { killTree, waitForPort } from './process-tree';

/** s3rver's own fixed credentials. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** An S3-compatible server (s3rver) on a loopback port, as its own process, its data on disk. */
export interface TestS3Server {
  endpoint: string;
  port: number;
  region: 'us-east-1';
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** SIGKILLs the server (its objects stay on disk, as a crashed S3 node's would). */
  down(): Promise<void>;
  /** Starts it again on the same port and data. */
  up(): Promise<void>;
  /** Multipart uploads of `bucket` with at least one part received and not yet completed or aborted. */
  partsInFlight(bucket: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts s3rver with the given buckets on a free port (`npm run build` must have compiled its entry point). */
export async function startS3Server(buckets: string[]): Promise<TestS3Server> {
  const main = resolve(__dirname, '..', '..', 'dist', 'servers', 's3rver-main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const dir = await makeTempDir('s3rver');
  const port = await freePort();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(process.execPath, [main, String(port), dir.path, buckets.join(',')], { stdio: ['ignore', 'ignore', 'inherit'] });
    await waitForPort(port, child, 's3rver');
  };
  await start();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    down: () => killTree(child),
    up: start,
    async partsInFlight(bucket) {
      // s3rver keeps the parts of each multipart upload in <dir>/<bucket>/._S3rver_uploads/<upload id>/<n> until it completes.
      const uploads = join(dir.path, bucket);
      return countPartFiles(uploads);
    },
    async stop() {
      await killTree(child);
      await dir.cleanup();
    },
  };
}

async function countPartFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile() && /^\d+$/.test(entry.name) && entry.parentPath.includes('uploads')).length;
}

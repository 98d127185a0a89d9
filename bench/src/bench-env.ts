import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ENV_SCHEMA } from '@export-service/config';

/** Repository root (bench/dist/.. /..). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** The benchmark's own databases, Redis prefix and workspaces: never a developer's. */
export const BENCH = {
  serverUrl: 'postgres://postgres@127.0.0.1:5432',
  metaDatabase: 'export_bench_meta',
  dataDatabase: 'export_bench_data',
  redisUrl: 'redis://127.0.0.1:6379',
  queuePrefix: 'export-bench',
} as const;

/** Connection string of one of the benchmark's databases. */
export function databaseUrl(name: string): string {
  return `${BENCH.serverUrl}/${name}`;
}

/** The workspace holding `rows` seeded user_activity rows. */
export function workspaceFor(rows: number): string {
  return `bench_${rows}`;
}

/** Scratch space of one run: exports, the worker's work dir, the ceiling's output. Removed at the end. */
export interface RunDirs {
  root: string;
  storage: string;
  work: string;
  ceiling: string;
}

/** Creates the run's temp directories. */
export function makeRunDirs(): RunDirs {
  const root = mkdtempSync(join(tmpdir(), 'export-bench-'));
  const dirs = { root, storage: join(root, 'exports'), work: join(root, 'work'), ceiling: join(root, 'ceiling') };
  for (const dir of [dirs.storage, dirs.work, dirs.ceiling]) mkdirSync(dir, { recursive: true });
  return dirs;
}

/** Deletes the run's temp directories. */
export function removeRunDirs(dirs: RunDirs): void {
  rmSync(dirs.root, { recursive: true, force: true });
}

/**
 * The environment of the API, worker and CLI: the caller's environment without any of the service's
 * own variables (so a developer's settings cannot leak in), then the benchmark's.
 */
export function serviceEnv(dirs: RunDirs, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!(name in ENV_SCHEMA)) env[name] = value;
  }
  return {
    ...env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    REDIS_URL: BENCH.redisUrl,
    QUEUE_PREFIX: BENCH.queuePrefix,
    DATABASE_URL: databaseUrl(BENCH.metaDatabase),
    ANALYTICS_DATABASE_URL: databaseUrl(BENCH.dataDatabase),
    STORAGE_DRIVER: 'local',
    STORAGE_DIR: dirs.storage,
    WORK_DIR: dirs.work,
    // Status is polled every 100 ms; the default per-key limit (600/min) would answer 429 on long runs.
    RATE_LIMIT_PER_KEY: '100000',
    RATE_LIMIT_PER_IP: '100000',
    // A benchmark failure should show, not be retried out of sight.
    EXPORT_ATTEMPTS: '1',
    DELIVERY_ATTEMPTS: '1',
  };
}

/** A TCP port nothing listens on right now (the test support's own). */
export { freePort } from '@export-service/testing';

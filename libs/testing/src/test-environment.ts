import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { loadConfig, type AppConfig } from '@export-service/config';
import { ensureDatabaseExists } from '@export-service/db';
import { Redis } from 'ioredis';
import { makeTempDir } from './tools';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A private world for one test file: its own databases, BullMQ prefix and directories. */
export interface TestEnvironment {
  /** Environment variables that point every process at this world (for spawned workers). */
  env: Record<string, string>;
  config: AppConfig;
  analyticsPool: pg.Pool;
  /** Drops the databases, Redis keys and directories. */
  cleanup(): Promise<void>;
}

/** Creates a fresh test world; `overrides` are extra environment variables (limits, timings). */
export async function createTestEnvironment(name: string, overrides: Record<string, string> = {}): Promise<TestEnvironment> {
  const id = `${name
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const dirs = await makeTempDir(`export-test-${id}`);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `${SERVER}/t_${id}_meta`,
    ANALYTICS_DATABASE_URL: `${SERVER}/t_${id}_data`,
    REDIS_URL,
    QUEUE_PREFIX: `t_${id}`,
    STORAGE_DIR: `${dirs.path}/storage`,
    WORK_DIR: `${dirs.path}/work`,
    EXPORT_SECRET_KEY: randomBytes(32).toString('hex'),
    EXPORT_BACKOFF_MS: '200',
    RATE_LIMIT_PER_KEY: '100000',
    RATE_LIMIT_PER_IP: '100000',
    AUTH_FAILURES_PER_IP: '100000',
    ...overrides,
  };
  const config = loadConfig(env);
  await ensureDatabaseExists(config.database.analyticsUrl);
  const analyticsPool = new pg.Pool({ connectionString: config.database.analyticsUrl, max: 4 });
  return {
    env,
    config,
    analyticsPool,
    async cleanup() {
      await analyticsPool.end().catch(() => undefined);
      await dropDatabases([`t_${id}_meta`, `t_${id}_data`]);
      await deleteRedisKeys(`t_${id}`);
      await rm(dirs.path, { recursive: true, force: true });
    },
  };
}

async function dropDatabases(names: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

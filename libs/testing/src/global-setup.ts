import pg from 'pg';
import { Redis } from 'ioredis';

/** Checks the services integration tests need, so a missing one fails with a clear sentence. */
export default async function globalSetup(): Promise<void> {
  const postgres = new pg.Client({ connectionString: `${process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432'}/postgres` });
  try {
    await postgres.connect();
    await postgres.query('SELECT 1');
  } catch (error) {
    throw new Error(`integration tests need PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth): ${(error as Error).message}`);
  } finally {
    await postgres.end().catch(() => undefined);
  }
  const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`integration tests need Redis at 127.0.0.1:6379: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

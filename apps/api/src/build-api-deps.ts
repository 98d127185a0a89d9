import { join } from 'node:path';
import pg from 'pg';
import type { AppConfig } from '@export-service/config';
import {
  AccessRepository,
  AuditLogRepository,
  CredentialRepository,
  DeliveryRepository,
  DeliverySettingsRepository,
  ExportActivityRepository,
  ExportJobRepository,
  openMetadataStore,
} from '@export-service/db';
import { createArtifactStore } from '@export-service/export-adapters';
import { exportCreationDeps } from '@export-service/exports';
import type { Logger } from '@export-service/logger';
import { ServiceMetrics } from '@export-service/metrics';
import { closeQueues, createRedisConnection, ExportEventHub, openQueues, ProgressReader, RedisLockout, RedisRateLimiter, waitForRedis } from '@export-service/queue';
import { scheduleDeps } from '@export-service/schedules';
import { LinkSigner } from '@export-service/security';
import type { ApiDeps } from './api-deps';

/** Opens everything the API talks to; `close` releases it all. */
export async function buildApiDeps(config: AppConfig, logger: Logger): Promise<{ deps: ApiDeps; close: () => Promise<void> }> {
  const dataSource = await openMetadataStore({ url: config.database.url, poolSize: config.database.poolSize, applicationName: 'export-api', migrate: true });
  const redis = createRedisConnection(config.redis.url, 'client');
  // The API's client fails fast (no offline queue), so serving before it is ready would answer 500s.
  await waitForRedis(redis);
  const queues = openQueues(redis, config.redis.queuePrefix, { attempts: config.worker.attempts, backoffMs: config.worker.backoffMs });
  // A create waits at most this long for a connection (estimates are the API's only analytics reads).
  const analyticsPool = new pg.Pool({
    connectionString: config.database.analyticsUrl,
    max: config.database.poolSize,
    application_name: 'export-api',
    connectionTimeoutMillis: 3_000,
  });
  analyticsPool.on('error', (error) => logger.warn('analytics pool error', { error }));
  const prefix = `${config.redis.queuePrefix}:api`;
  const linkSigner = new LinkSigner(config.secrets.key, config.http.publicBaseUrl);
  const jobs = new ExportJobRepository(dataSource);
  // Pub/sub needs a connection of its own; it retries forever (a stream outlives a Redis blip).
  const subscriber = createRedisConnection(config.redis.url, 'worker');
  const metrics = new ServiceMetrics('api');
  metrics.watchQueues(Object.values(queues));
  const credentials = new CredentialRepository(dataSource);
  const deliverySettings = new DeliverySettingsRepository(dataSource);
  const exportCreation = exportCreationDeps(config, { jobs, queues, analyticsPool, credentials, deliverySettings });
  const deps: ApiDeps = {
    config,
    logger,
    dataSource,
    access: new AccessRepository(dataSource),
    jobs,
    audit: new AuditLogRepository(dataSource),
    credentials,
    deliveries: new DeliveryRepository(dataSource),
    deliverySettings,
    queues,
    progress: new ProgressReader(redis, config.redis.queuePrefix),
    redis,
    limiter: new RedisRateLimiter(redis, prefix),
    downloadLockout: new RedisLockout(redis, prefix, config.limits.downloadMaxPasswordFailures, config.limits.downloadLockSeconds),
    analyticsPool,
    store: createArtifactStore(config.storage, { signLink: (key, ttl) => linkSigner.sign(key, ttl) }),
    linkSigner,
    exportEvents: new ExportEventHub(subscriber, config.redis.queuePrefix),
    metrics,
    exportCreation,
    scheduling: scheduleDeps(config, { dataSource, jobs, queues, analyticsPool, creation: exportCreation }),
    activity: new ExportActivityRepository(dataSource),
    staging: { stagingUrl: config.database.url, scratchDir: join(config.storage.workDir, `api-${process.pid}`) },
  };
  return {
    deps,
    close: async () => {
      await closeQueues(queues);
      await deps.exportEvents.close();
      redis.disconnect();
      await analyticsPool.end();
      await dataSource.destroy();
    },
  };
}

import type pg from 'pg';
import type { AppConfig } from '@export-service/config';
import type {
  AccessRepository,
  AuditLogRepository,
  CredentialRepository,
  DataSource,
  DeliveryRepository,
  DeliverySettingsRepository,
  ExportJobRepository,
} from '@export-service/db';
import type { ArtifactStore } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import type { ProgressReader, Queues, Redis, RedisLockout, RedisRateLimiter } from '@export-service/queue';
import type { LinkSigner } from '@export-service/security';

/** Everything the API needs, built once by main.ts (or by a test) and passed to createApp. */
export interface ApiDeps {
  config: AppConfig;
  logger: Logger;
  dataSource: DataSource;
  access: AccessRepository;
  jobs: ExportJobRepository;
  audit: AuditLogRepository;
  credentials: CredentialRepository;
  deliveries: DeliveryRepository;
  deliverySettings: DeliverySettingsRepository;
  queues: Queues;
  /** Live progress of running exports, read only. */
  progress: ProgressReader;
  redis: Redis;
  limiter: RedisRateLimiter;
  downloadLockout: RedisLockout;
  analyticsPool: pg.Pool;
  store: ArtifactStore;
  linkSigner: LinkSigner;
}

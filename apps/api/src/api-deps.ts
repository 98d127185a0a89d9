import type pg from 'pg';
import type { AppConfig } from '@export-service/config';
import type {
  AccessRepository,
  AuditLogRepository,
  CredentialRepository,
  DataSource,
  DeliveryRepository,
  DeliverySettingsRepository,
  ExportActivityRepository,
  ExportJobRepository,
} from '@export-service/db';
import type { ArtifactStore } from '@export-service/export-core';
import type { CreateExportDeps } from '@export-service/exports';
import type { Logger } from '@export-service/logger';
import type { ServiceMetrics } from '@export-service/metrics';
import type { ExportEventHub, ProgressReader, Queues, Redis, RedisLockout, RedisRateLimiter } from '@export-service/queue';
import type { ScheduleDeps } from '@export-service/schedules';
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
  /** Live events of exports (Redis pub/sub, one subscriber connection), for progress streams. */
  exportEvents: ExportEventHub;
  /** This process's Prometheus registry. */
  metrics: ServiceMetrics;
  /** The download log and validation jobs. */
  activity: ExportActivityRepository;
  /** The service's own PostgreSQL and a scratch directory, where full validations stage files. */
  staging: { stagingUrl: string; scratchDir: string };
  /** What creating an export talks to (the one creation path, `createExport`). */
  exportCreation: CreateExportDeps;
  /** Templates, schedules and their runs. */
  scheduling: ScheduleDeps;
}

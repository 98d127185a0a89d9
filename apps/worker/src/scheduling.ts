import pg from 'pg';
import type { AppConfig } from '@export-service/config';
import { CredentialRepository, DeliverySettingsRepository, type DataSource, type ExportJobRepository } from '@export-service/db';
import { exportCreationDeps } from '@export-service/exports';
import type { Logger } from '@export-service/logger';
import type { Queues } from '@export-service/queue';
import { scheduleDeps, type ScheduleDeps } from '@export-service/schedules';

/**
 * What the schedule jobs need in a worker: the schedule deps, with a small analytics pool of their
 * own for estimates and incremental bounds (the export pipeline reads rows on its own connections).
 */
export function openScheduling(
  config: AppConfig,
  logger: Logger,
  parts: { dataSource: DataSource; jobs: ExportJobRepository; queues: Queues },
): { deps: ScheduleDeps; close(): Promise<void> } {
  const analyticsPool = new pg.Pool({ connectionString: config.database.analyticsUrl, max: 2, application_name: 'export-worker', connectionTimeoutMillis: 3_000 });
  analyticsPool.on('error', (error) => logger.warn('analytics pool error', { error }));
  const creation = exportCreationDeps(config, {
    jobs: parts.jobs,
    queues: parts.queues,
    analyticsPool,
    credentials: new CredentialRepository(parts.dataSource),
    deliverySettings: new DeliverySettingsRepository(parts.dataSource),
  });
  return { deps: scheduleDeps(config, { ...parts, analyticsPool, creation }), close: () => analyticsPool.end() };
}

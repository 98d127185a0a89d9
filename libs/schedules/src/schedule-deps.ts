import type pg from 'pg';
import type { AppConfig } from '@export-service/config';
import { ScheduleRepository, ScheduleRunRepository, TemplateRepository, type DataSource, type ExportJobRepository } from '@export-service/db';
import type { CreateExportDeps } from '@export-service/exports';
import type { Queues } from '@export-service/queue';
import type { SecretKeys } from '@export-service/security';

/** What running schedules talks to; any process (API, worker, scheduler) builds it from its own connections. */
export interface ScheduleDeps {
  jobs: ExportJobRepository;
  templates: TemplateRepository;
  schedules: ScheduleRepository;
  runs: ScheduleRunRepository;
  queues: Queues;
  /** For estimates and the incremental bound (read only). */
  analyticsPool: pg.Pool;
  /** The one creation path's deps. */
  creation: CreateExportDeps;
  /** Opens templates' sealed passwords. */
  secrets: SecretKeys;
  timing: ScheduleConfig;
}

/** The schedule settings of the configuration. */
export type ScheduleConfig = AppConfig['schedules'];

/** The schedule deps of a process, from its configuration and its open connections. */
export function scheduleDeps(
  config: AppConfig,
  parts: { dataSource: DataSource; jobs: ExportJobRepository; queues: Queues; analyticsPool: pg.Pool; creation: CreateExportDeps },
): ScheduleDeps {
  return {
    jobs: parts.jobs,
    templates: new TemplateRepository(parts.dataSource),
    schedules: new ScheduleRepository(parts.dataSource),
    runs: new ScheduleRunRepository(parts.dataSource),
    queues: parts.queues,
    analyticsPool: parts.analyticsPool,
    creation: parts.creation,
    secrets: { key: config.secrets.key, previousKeys: config.secrets.previousKeys },
    timing: config.schedules,
  };
}

import type { ExportJobRepository, ScheduleRunRepository } from '@export-service/db';
import type { ArtifactStore } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import { applyScheduleRetention } from '@export-service/schedules';
import type { JobHandler } from './job-handler';

/** The daily retention round of schedules' exports (deleted through `deleteExport`, reason `retention`). */
export function createApplyScheduleRetentionHandler(
  deps: { jobs: ExportJobRepository; runs: ScheduleRunRepository; store: ArtifactStore },
  logger: Logger,
): JobHandler<'apply-schedule-retention'> {
  return {
    async perform({ limit }) {
      const counts = await applyScheduleRetention({ ...deps, logger }, limit);
      if (counts.deleted + counts.failed > 0) logger.info('schedule retention applied', { ...counts });
    },
  };
}

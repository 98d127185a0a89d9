import type { Logger } from '@export-service/logger';
import { fireSchedule, type ScheduleDeps } from '@export-service/schedules';
import type { JobHandler } from './job-handler';

/** One firing of a schedule's period: records its run once (the database's unique key) and chains the next firing. */
export function createFireScheduleHandler(deps: ScheduleDeps, logger: Logger): JobHandler<'fire-schedule'> {
  return {
    async perform({ scheduleId, periodAt }) {
      const fired = await fireSchedule(deps, scheduleId, new Date(periodAt));
      if (fired.outcome === 'stale') logger.debug('firing of a period that is no longer next; nothing to do', { scheduleId, periodAt });
      else if (fired.trigger === 'catch_up') logger.warn('schedule fired late (catch-up after downtime); missed periods skipped', { scheduleId, periodAt, runId: fired.runId });
      else logger.debug('schedule fired', { scheduleId, periodAt, runId: fired.runId, outcome: fired.outcome });
    },
  };
}

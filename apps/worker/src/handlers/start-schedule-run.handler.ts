import { DelayedError } from 'bullmq';
import type { Logger } from '@export-service/logger';
import { startRun, type ScheduleDeps } from '@export-service/schedules';
import type { JobHandler } from './job-handler';

/**
 * Creates a pending run's export. A run that must wait (the workspace at its quota, an earlier
 * incremental run unfinished, the analytics database busy) goes back to the delayed set for
 * SCHEDULE_RUN_RETRY_MS under the same job, so it neither spends attempts nor piles up copies.
 */
export function createStartScheduleRunHandler(deps: ScheduleDeps, logger: Logger): JobHandler<'start-schedule-run'> {
  return {
    async perform({ runId }, { job, token }) {
      const started = await startRun(deps, runId);
      if (started.outcome === 'started') logger.debug('schedule run started', { runId, exportJobId: started.run.exportJobId });
      if (started.outcome === 'failed') logger.warn('schedule run failed: its export cannot be made', { runId, error: started.error.message });
      if (started.outcome !== 'waiting') return;
      logger.info('schedule run waits', { runId, reason: started.reason });
      await job.moveToDelayed(Date.now() + deps.timing.runRetryMs, token);
      throw new DelayedError();
    },
  };
}

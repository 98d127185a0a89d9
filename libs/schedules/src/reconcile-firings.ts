import { JobName } from '@export-service/contracts';
import type { ScheduleRepository, ScheduleRunRepository } from '@export-service/db';
import type { Queues } from '@export-service/queue';
import { queueFiring, queueRunStarts } from './schedule-jobs';

/** What one reconciliation did. */
export interface FiringReconciliation {
  /** Active schedules whose next firing was made sure of. */
  schedules: number;
  /** Queued firings no active schedule wants any more, removed. */
  removed: number;
  /** Pending runs whose start was queued again. */
  restarted: number;
}

/**
 * Keeps the schedules queue in step with the schedules table, the truth: every active schedule has
 * its next period's firing queued (a no-op when it is; after a flushed Redis or a lost job it is
 * queued again, at once if its time has passed, and runs as a catch-up); firings of paused, changed
 * or deleted schedules are removed; runs left pending (their start job lost) are queued again.
 */
export async function reconcileFirings(
  deps: { schedules: ScheduleRepository; runs: ScheduleRunRepository; queues: Queues },
  options: { pendingAfterMs: number; now?: Date },
): Promise<FiringReconciliation> {
  const now = options.now ?? new Date();
  const wanted = new Map<string, number>();
  let afterId = '';
  for (;;) {
    const page = await deps.schedules.dueFirings({ afterId, limit: 1_000 });
    for (const due of page) {
      wanted.set(due.scheduleId, due.nextRun.getTime());
      await queueFiring(deps.queues, due.scheduleId, due.nextRun, now.getTime());
    }
    if (page.length < 1_000) break;
    afterId = (page[page.length - 1] as { scheduleId: string }).scheduleId;
  }
  let removed = 0;
  for (const job of await deps.queues.schedules.getJobs(['delayed', 'waiting', 'prioritized'])) {
    if (job.name !== JobName.fireSchedule) continue;
    const { scheduleId, periodAt } = job.data as { scheduleId: string; periodAt: string };
    if (wanted.get(scheduleId) === Date.parse(periodAt)) continue;
    // Read again: the schedule may have changed after the list above was taken.
    const current = await deps.schedules.findById(scheduleId);
    if (current?.isActive && current.nextRun?.getTime() === Date.parse(periodAt)) continue;
    await job.remove().catch(() => undefined);
    removed += 1;
  }
  const pending = await deps.runs.pendingBefore(new Date(now.getTime() - options.pendingAfterMs));
  await queueRunStarts(deps.queues, pending);
  return { schedules: wanted.size, removed, restarted: pending.length };
}

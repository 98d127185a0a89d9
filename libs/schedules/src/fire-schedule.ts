import { randomBytes } from 'node:crypto';
import type { ScheduleRunTrigger } from '@export-service/contracts';
import { newJobId } from '@export-service/exports';
import { firingsBetween, nextRunAfter } from '@export-service/periods';
import type { ScheduleDeps } from './schedule-deps';
import { queueFiring, queueRunStarts } from './schedule-jobs';
import { recurrenceOf } from './schedule-timing';

/** A new run id: `run_` and 128 random bits. */
export function newRunId(): string {
  return `run_${randomBytes(16).toString('hex')}`;
}

/** The most skipped periods a catch-up counts (an `every_seconds` schedule down for a day would otherwise count for long). */
const MAX_COUNTED_MISSES = 10_000;

/** What one firing did. */
export type FiringOutcome = { outcome: 'recorded' | 'duplicate'; runId: string; trigger: ScheduleRunTrigger; nextRun: Date } | { outcome: 'stale' };

/**
 * One firing of a schedule for the period at `periodAt`. The database decides everything:
 * - only the period the schedule's `next_run` names fires (a firing queued before a pause, change or
 *   delete, or a second copy of one already done, finds another `next_run` and does nothing);
 * - the run row is unique per (schedule, period), so a duplicate firing records nothing new;
 * - `next_run` moves on with a conditional UPDATE from this period only, then the next firing is queued.
 * A firing later than SCHEDULE_CATCH_UP_AFTER_MS (the workers were down) is a catch-up: it runs this
 * one period, counts the periods it skipped, and chains from now, so the missed periods do not run one
 * by one. A firing less late chains from its own period, so a short stall (a killed worker) loses none.
 */
export async function fireSchedule(deps: ScheduleDeps, scheduleId: string, periodAt: Date, now = new Date()): Promise<FiringOutcome> {
  const schedule = await deps.schedules.findById(scheduleId);
  if (!schedule || !schedule.isActive || schedule.nextRun?.getTime() !== periodAt.getTime()) {
    // Someone else fired it already (or it was paused, changed, deleted): make sure the real next firing is queued, and stop.
    if (schedule?.isActive && schedule.nextRun) await queueFiring(deps.queues, schedule.id, schedule.nextRun, now.getTime());
    return { outcome: 'stale' };
  }
  const recurrence = recurrenceOf(schedule);
  const isLate = now.getTime() - periodAt.getTime() > deps.timing.catchUpAfterMs;
  const trigger: ScheduleRunTrigger = isLate ? 'catch_up' : 'schedule';
  const missed = isLate ? firingsBetween(recurrence, schedule.timezone, new Date(periodAt.getTime() + 1), new Date(now.getTime() + 1), MAX_COUNTED_MISSES).length : 0;
  const { run, isNew } = await deps.runs.record({
    id: newRunId(),
    scheduleId,
    periodKey: periodAt.toISOString(),
    periodAt,
    trigger,
    exportJobId: newJobId(),
    missedPeriods: Math.min(missed, MAX_COUNTED_MISSES),
  });
  const nextRun = nextRunAfter(recurrence, schedule.timezone, isLate ? now : periodAt);
  await deps.schedules.advance(scheduleId, periodAt, nextRun);
  const current = await deps.schedules.findById(scheduleId);
  if (current?.isActive && current.nextRun) await queueFiring(deps.queues, scheduleId, current.nextRun, now.getTime());
  if (run.status === 'pending') await queueRunStarts(deps.queues, [run.id]);
  return { outcome: isNew ? 'recorded' : 'duplicate', runId: run.id, trigger: run.trigger, nextRun };
}

import { JobName, type JobPayloads } from '@export-service/contracts';
import { addJob, type Queues } from '@export-service/queue';

/**
 * BullMQ ids of the schedules queue's jobs. One firing per (schedule, period) and one start job per
 * run: adding the same one twice (two scheduler replicas, the scheduler and a firing's own chain) is
 * a no-op while it waits. They are removed when done, so a re-add after a lost Redis works; the run
 * rows make a repeated job harmless anyway.
 */
export function firingJobId(scheduleId: string, periodAt: Date): string {
  return `fire-${scheduleId}-${periodAt.getTime()}`;
}

/** The BullMQ id of a run's start job. */
export function startJobId(runId: string): string {
  return `run-${runId}`;
}

const ONCE = { removeOnComplete: true, removeOnFail: true, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } } as const;

/** Queues the firing of a schedule's period, delayed until the period comes (at once when it has passed). */
export async function queueFiring(queues: Queues, scheduleId: string, periodAt: Date, now = Date.now()): Promise<void> {
  const payload: JobPayloads[typeof JobName.fireSchedule] = { scheduleId, periodAt: periodAt.toISOString() };
  await addJob(queues, JobName.fireSchedule, payload, { ...ONCE, jobId: firingJobId(scheduleId, periodAt), delay: Math.max(0, periodAt.getTime() - now) });
}

/** Queues the start of pending runs (their exports' creation), optionally after a delay. */
export async function queueRunStarts(queues: Queues, runIds: string[], delayMs = 0): Promise<void> {
  if (runIds.length === 0) return;
  const queue = queues.schedules;
  await queue.addBulk(runIds.map((runId) => ({ name: JobName.startScheduleRun, data: { runId }, opts: { ...ONCE, jobId: startJobId(runId), delay: delayMs } })));
}

/** Removes a schedule's queued firing (paused, changed, deleted); the firing would find nothing to do anyway. */
export async function dropFiring(queues: Queues, scheduleId: string, periodAt: Date | null): Promise<void> {
  if (!periodAt) return;
  const job = await queues.schedules.getJob(firingJobId(scheduleId, periodAt));
  // An active firing holds its lock and cannot be removed; it will see the change and do nothing.
  await job?.remove().catch(() => undefined);
}

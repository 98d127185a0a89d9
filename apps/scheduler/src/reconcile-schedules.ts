import { JobName, QueueName, type JobPayloads } from '@export-service/contracts';
import type { Queues } from '@export-service/queue';

/** A repeatable job the scheduler keeps registered in BullMQ. */
export interface DesiredSchedule {
  id: string;
  queue: QueueName;
  every: number;
  job: { name: JobName; data: JobPayloads[JobName] };
}

/** Schedules the service always runs (the schedules table's own firings are kept by `reconcileFirings`). */
export function systemSchedules(): DesiredSchedule[] {
  return [
    {
      id: 'system:sweep-partial-artifacts',
      queue: QueueName.maintenance,
      every: 60 * 60 * 1000,
      job: { name: JobName.sweepPartialArtifacts, data: { olderThanMinutes: 60 } },
    },
    {
      id: 'system:requeue-orphaned-exports',
      queue: QueueName.maintenance,
      every: 60 * 1000,
      job: { name: JobName.requeueOrphanedExports, data: { olderThanSeconds: 120 } },
    },
    {
      id: 'system:expire-exports',
      queue: QueueName.maintenance,
      every: 15 * 60 * 1000,
      job: { name: JobName.expireExports, data: { limit: 500 } },
    },
    {
      id: 'system:apply-schedule-retention',
      queue: QueueName.maintenance,
      every: 24 * 60 * 60 * 1000,
      job: { name: JobName.applyScheduleRetention, data: { limit: 5_000 } },
    },
    {
      id: 'system:reconcile-deliveries',
      queue: QueueName.maintenance,
      every: 60 * 1000,
      job: { name: JobName.reconcileDeliveries, data: { olderThanSeconds: 60 } },
    },
  ];
}

/**
 * Makes BullMQ's job schedulers match the desired list: upserts each one (so it fires once per
 * period whatever the number of replicas) and removes the ones nobody wants any more.
 */
export async function reconcileSchedules(queues: Queues, desired: DesiredSchedule[]): Promise<{ upserted: number; removed: number }> {
  for (const schedule of desired) {
    await queues[schedule.queue].upsertJobScheduler(schedule.id, { every: schedule.every }, { name: schedule.job.name, data: schedule.job.data });
  }
  let removed = 0;
  for (const queue of Object.values(QueueName)) {
    const existing = await queues[queue].getJobSchedulers();
    for (const scheduler of existing) {
      if (!desired.some((schedule) => schedule.id === scheduler.key && schedule.queue === queue)) {
        await queues[queue].removeJobScheduler(scheduler.key);
        removed += 1;
      }
    }
  }
  return { upserted: desired.length, removed };
}

/** BullMQ queues. Names persist in Redis. */
export const QueueName = {
  exports: 'exports',
  maintenance: 'maintenance',
  /** Schedule firings and the runs they start: small database steps, never behind a long maintenance job. */
  schedules: 'schedules',
  deliveries: 'deliveries',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Every job type the workers know, one registry for all queues. */
export const JobName = {
  runExport: 'run-export',
  sweepPartialArtifacts: 'sweep-partial-artifacts',
  requeueOrphanedExports: 'requeue-orphaned-exports',
  expireExports: 'expire-exports',
  fireSchedule: 'fire-schedule',
  startScheduleRun: 'start-schedule-run',
  applyScheduleRetention: 'apply-schedule-retention',
  validateExport: 'validate-export',
  deliverExport: 'deliver-export',
  reconcileDeliveries: 'reconcile-deliveries',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Payloads carry ids only: never rows, SQL or secrets. */
export interface JobPayloads {
  [JobName.runExport]: { exportJobId: string };
  [JobName.sweepPartialArtifacts]: { olderThanMinutes: number };
  /** Exports whose row is queued or running but whose BullMQ job is gone (Redis lost it), untouched for this long. */
  [JobName.requeueOrphanedExports]: { olderThanSeconds: number };
  /** Deletes the files of exports past their expiry, and finishes deletions whose storage removal failed, at most `limit` of each. */
  [JobName.expireExports]: { limit: number };
  /** One firing of a schedule for the period that starts at `periodAt` (ISO instant): records its run once, then chains the next firing. */
  [JobName.fireSchedule]: { scheduleId: string; periodAt: string };
  /** Creates the export of a pending schedule run (waits while the workspace is at its quota or an earlier incremental run is unfinished). */
  [JobName.startScheduleRun]: { runId: string };
  /** Deletes schedules' exports past `retention.keep_exports_days` (with `auto_cleanup`) or `delivery.auto_delete_after_days`, at most `limit`. */
  [JobName.applyScheduleRetention]: { limit: number };
  /** Validates an export too large to validate within the request (a row of export_validations). */
  [JobName.validateExport]: { validationId: string };
  /** One delivery of one export to one target; its settings and sealed secrets stay in PostgreSQL. */
  [JobName.deliverExport]: { deliveryId: string };
  /** Deliveries still waiting although their export finished, or whose BullMQ job is gone, untouched for this long. */
  [JobName.reconcileDeliveries]: { olderThanSeconds: number };
}

/** The queue each job type runs on. */
export const JOB_QUEUE: { [K in JobName]: QueueName } = {
  [JobName.runExport]: QueueName.exports,
  [JobName.sweepPartialArtifacts]: QueueName.maintenance,
  [JobName.requeueOrphanedExports]: QueueName.maintenance,
  [JobName.expireExports]: QueueName.maintenance,
  [JobName.fireSchedule]: QueueName.schedules,
  [JobName.startScheduleRun]: QueueName.schedules,
  [JobName.applyScheduleRetention]: QueueName.maintenance,
  [JobName.validateExport]: QueueName.exports,
  [JobName.deliverExport]: QueueName.deliveries,
  [JobName.reconcileDeliveries]: QueueName.maintenance,
};

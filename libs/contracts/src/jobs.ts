/** BullMQ queues. Names persist in Redis. */
export const QueueName = {
  exports: 'exports',
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Every job type the workers know, one registry for all queues. */
export const JobName = {
  runExport: 'run-export',
  sweepPartialArtifacts: 'sweep-partial-artifacts',
  requeueOrphanedExports: 'requeue-orphaned-exports',
  expireExports: 'expire-exports',
  validateExport: 'validate-export',
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
  /** Validates an export too large to validate within the request (a row of export_validations). */
  [JobName.validateExport]: { validationId: string };
}

/** The queue each job type runs on. */
export const JOB_QUEUE: { [K in JobName]: QueueName } = {
  [JobName.runExport]: QueueName.exports,
  [JobName.sweepPartialArtifacts]: QueueName.maintenance,
  [JobName.requeueOrphanedExports]: QueueName.maintenance,
  [JobName.expireExports]: QueueName.maintenance,
  [JobName.validateExport]: QueueName.exports,
};

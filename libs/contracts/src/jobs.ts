/** BullMQ queues. Names persist in Redis. */
export const QueueName = {
  exports: 'exports',
  maintenance: 'maintenance',
  deliveries: 'deliveries',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Every job type the workers know, one registry for all queues. */
export const JobName = {
  runExport: 'run-export',
  sweepPartialArtifacts: 'sweep-partial-artifacts',
  requeueOrphanedExports: 'requeue-orphaned-exports',
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
  [JobName.deliverExport]: QueueName.deliveries,
  [JobName.reconcileDeliveries]: QueueName.maintenance,
};

import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from './redis-connection';
import { JOB_QUEUE, JobName, QueueName, type JobPayloads } from '@export-service/contracts';

/** Retry policy for export jobs. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** Defaults for every job: exponential backoff, bounded history kept for Bull Board. */
export function defaultJobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

/** Every queue of the service, typed by name. */
export type Queues = Record<QueueName, Queue>;

/** Opens all queues on one connection. */
export function openQueues(connection: Redis, prefix: string, retry: RetryPolicy): Queues {
  const options = { connection, prefix, defaultJobOptions: defaultJobOptions(retry) };
  return {
    [QueueName.exports]: new Queue(QueueName.exports, options),
    [QueueName.maintenance]: new Queue(QueueName.maintenance, options),
    [QueueName.schedules]: new Queue(QueueName.schedules, options),
    [QueueName.deliveries]: new Queue(QueueName.deliveries, options),
  };
}

/** Closes all queues. */
export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}

/** Adds a job to the queue its name belongs to; the payload type follows the name. */
export function addJob<N extends JobName>(queues: Queues, name: N, payload: JobPayloads[N], options: JobsOptions = {}) {
  return queues[JOB_QUEUE[name]].add(name, payload, options);
}

/** Queues an export; its BullMQ id is the export id, so enqueuing twice is harmless. */
export function enqueueExport(queues: Queues, exportJobId: string) {
  return addJob(queues, JobName.runExport, { exportJobId }, { jobId: exportJobId });
}

/**
 * The Redis list BullMQ keeps a queue's waiting job ids in (`<prefix>:<queue>:wait`): what KEDA's
 * redis trigger measures to scale the workers (k8s/worker.yaml).
 */
export function waitListKey(prefix: string, queue: QueueName): string {
  return `${prefix}:${queue}:wait`;
}

/** The BullMQ id of a delivery's current round: retrying through the API starts a new job, not a finished one. */
export function deliveryJobId(delivery: { id: string; round: number }): string {
  return `${delivery.id}-${delivery.round}`;
}

/** Queues one delivery with its own retry policy; the id names its round, so enqueuing twice is harmless. */
export function enqueueDelivery(queues: Queues, delivery: { id: string; round: number }, retry: RetryPolicy) {
  return addJob(
    queues,
    JobName.deliverExport,
    { deliveryId: delivery.id },
    { jobId: deliveryJobId(delivery), attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffMs } },
  );
}

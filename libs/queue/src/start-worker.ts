import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from './redis-connection';
import type { QueueName } from '@export-service/contracts';

/** Worker settings from the configuration. */
export interface WorkerSettings {
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

/** Starts a BullMQ worker on one queue with the service's lock and stall settings. */
export function startWorker(queue: QueueName, connection: Redis, settings: WorkerSettings, process: (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>): Worker {
  const options: WorkerOptions = {
    connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    autorun: true,
  };
  // Three parameters: BullMQ then hands each job an AbortSignal (worker.cancelJob aborts it).
  return new Worker(queue, (job: Job, token?: string, signal?: AbortSignal) => process(job, token, signal), options);
}

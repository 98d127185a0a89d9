export * from './redis-connection';
export * from './queues';
export * from './redis-counters';
export * from './start-worker';
export * from './progress-reader';
export { Job, Queue, Worker, QueueEvents, UnrecoverableError, DelayedError } from 'bullmq';
export * from './export-events';
export * from './export-cancellation';

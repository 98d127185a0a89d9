import { Job, type Worker } from 'bullmq';
import { JobName, QueueName } from '@export-service/contracts';
import type { AppConfig } from '@export-service/config';
import { ExportJobRepository, openMetadataStore } from '@export-service/db';
import { compressors, createEncoders, LocalArtifactStore, openpgpEncryptor } from '@export-service/export-adapters';
import type { ExportPorts } from '@export-service/export-core';
import { PgRowSource } from '@export-service/analytics';
import type { Logger } from '@export-service/logger';
import { createRedisConnection, startWorker, WorkspaceSlots } from '@export-service/queue';
import { assertRegistryComplete, dispatch } from './handlers';
import type { HandlerRegistry } from './handlers/job-handler';
import { createRunExportHandler } from './handlers/run-export.handler';
import { createSweepPartialArtifactsHandler } from './handlers/sweep-partial-artifacts.handler';

/** A running set of workers and how to stop it. */
export interface WorkerRuntime {
  workers: Worker[];
  /** Stops taking jobs and waits up to `graceMs` for running ones; the rest go to stalled-job recovery. */
  stop(graceMs?: number): Promise<void>;
}

/** Wires the worker process: metadata store, Redis, the export pipeline's adapters and one worker per queue. */
export async function startWorkerRuntime(config: AppConfig, logger: Logger): Promise<WorkerRuntime> {
  const dataSource = await openMetadataStore({ url: config.database.url, poolSize: config.database.poolSize, applicationName: 'export-worker', migrate: true });
  const redis = createRedisConnection(config.redis.url, 'worker');
  const jobs = new ExportJobRepository(dataSource);
  const store = new LocalArtifactStore(config.storage.dir);
  const ports: ExportPorts = {
    rowSource: new PgRowSource(config.database.analyticsUrl),
    store,
    encoders: createEncoders(config.storage.workDir),
    compressors,
    encryptor: openpgpEncryptor,
  };
  const slotLeaseMs = Math.max(config.worker.lockDurationMs, 10_000);
  const registry: HandlerRegistry = {
    [JobName.runExport]: createRunExportHandler({
      jobs,
      ports,
      slots: new WorkspaceSlots(redis, config.redis.queuePrefix, config.limits.workspaceMaxRunningExports, slotLeaseMs),
      secrets: { key: config.secrets.key, previousKeys: config.secrets.previousKeys },
      logger,
      slotRetryMs: 2_000,
      slotLeaseMs,
    }),
    [JobName.sweepPartialArtifacts]: createSweepPartialArtifactsHandler(store, jobs, logger),
  };
  assertRegistryComplete(registry);

  const abort = new AbortController();
  const settings = {
    prefix: config.redis.queuePrefix,
    concurrency: config.worker.concurrency,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    maxStalledCount: config.worker.maxStalledCount,
  };
  const workers = Object.values(QueueName).map((queue) => {
    const worker = startWorker(queue, redis, settings, (job, token) => dispatch(registry, job, token, abort.signal, logger));
    worker.on('error', (error) => logger.error('worker error', { queue, error }));
    // A job whose workers keep dying is failed by BullMQ's stall check without reaching a handler.
    worker.on('stalled', (jobId) => void failIfGivenUp(worker, jobId, jobs, logger));
    return worker;
  });
  logger.info('worker started', { queues: Object.values(QueueName), concurrency: config.worker.concurrency, pid: process.pid });

  return {
    workers,
    async stop(graceMs = 25_000) {
      const closing = Promise.all(workers.map((worker) => worker.close()));
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([closing, timer])) === 'timeout') {
        logger.warn('shutdown grace period over; running jobs will be recovered by another worker');
        abort.abort(new Error('worker shutting down'));
      }
      redis.disconnect();
      await dataSource.destroy();
    },
  };
}

async function failIfGivenUp(worker: Worker, jobId: string, jobs: ExportJobRepository, logger: Logger): Promise<void> {
  logger.warn('job stalled (its worker stopped); BullMQ will retry it', { jobId });
  const job = await Job.fromId(worker, jobId).catch(() => undefined);
  if (job?.name === JobName.runExport && (await job.isFailed())) {
    await jobs.fail((job.data as { exportJobId: string }).exportJobId, 'the worker running this export stopped too many times');
  }
}

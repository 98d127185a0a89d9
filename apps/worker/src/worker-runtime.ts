import type { Job, Worker } from 'bullmq';
import { JobName, QueueName } from '@export-service/contracts';
import type { AppConfig } from '@export-service/config';
import { CredentialRepository, DeliveryRepository, DeliverySettingsRepository, ExportActivityRepository, ExportJobRepository, openMetadataStore } from '@export-service/db';
import { compressors, createArtifactStore, createDeliveryTargets, createEncoders, openpgpEncryptor } from '@export-service/export-adapters';
import type { ArtifactStore, ExportPorts } from '@export-service/export-core';
import { PgRowSource } from '@export-service/analytics';
import type { Logger } from '@export-service/logger';
import { closeQueues, createRedisConnection, ExportEventPublisher, openQueues, startWorker, WorkspaceSlots } from '@export-service/queue';
import { LinkSigner } from '@export-service/security';
import { assertRegistryComplete, dispatch, type DispatchContext } from './handlers';
import type { HandlerRegistry } from './handlers/job-handler';
import { createRunExportHandler } from './handlers/run-export.handler';
import { createRequeueOrphanedExportsHandler, failGivenUpExport } from './handlers/requeue-orphaned-exports.handler';
import { createSweepPartialArtifactsHandler } from './handlers/sweep-partial-artifacts.handler';
import { createExpireExportsHandler } from './handlers/expire-exports.handler';
import { createDeliverExportHandler } from './handlers/deliver-export.handler';
import { createReconcileDeliveriesHandler } from './handlers/reconcile-deliveries.handler';
import { releaseDeliveries, type DeliveryRelease } from './handlers/release-deliveries';
import { FailureCode, jobFailure } from '@export-service/errors';
import { claimScratchDir } from './scratch-dir';
import { instrumentWorker, startWorkerMetrics } from './worker-metrics';
import { createFireScheduleHandler } from './handlers/fire-schedule.handler';
import { createStartScheduleRunHandler } from './handlers/start-schedule-run.handler';
import { createApplyScheduleRetentionHandler } from './handlers/apply-schedule-retention.handler';
import { openScheduling } from './scheduling';
import { CancelWatch } from './cancel-watch';
import { createValidateExportHandler } from './handlers/validate-export.handler';

/** How long stopped attempts get to record themselves after a hard shutdown. */
export const ABORT_GRACE_MS = 5_000;

/** How long SIGTERM lets running jobs finish; Kubernetes' terminationGracePeriodSeconds must exceed this plus ABORT_GRACE_MS. */
export const SHUTDOWN_GRACE_MS = 25_000;

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
  const queues = openQueues(redis, config.redis.queuePrefix, { attempts: config.worker.attempts, backoffMs: config.worker.backoffMs });
  const linkSigner = new LinkSigner(config.secrets.key, config.http.publicBaseUrl);
  const store = createArtifactStore(config.storage, { signLink: (key, ttl) => linkSigner.sign(key, ttl) });
  const scratch = await claimScratchDir(config.storage.workDir);
  const { metrics, server: metricsServer } = await startWorkerMetrics(config, logger);
  if (scratch.removed > 0) logger.info('removed scratch directories of workers that are gone', { removed: scratch.removed });
  const ports: ExportPorts = {
    rowSource: new PgRowSource(config.database.analyticsUrl),
    store,
    encoders: createEncoders(scratch.dir),
    compressors,
    encryptor: openpgpEncryptor,
  };
  const scheduling = openScheduling(config, logger, { dataSource, jobs, queues });
  const slotLeaseMs = Math.max(config.worker.lockDurationMs, 10_000);
  const cancels = await CancelWatch.start(redis, config.redis.queuePrefix, jobs, logger);
  const staging = { stagingUrl: config.database.url, scratchDir: scratch.dir };
  const deliveries = new DeliveryRepository(dataSource);
  const secrets = { key: config.secrets.key, previousKeys: config.secrets.previousKeys };
  const release: DeliveryRelease = { deliveries, queues, retry: { attempts: config.delivery.attempts, backoffMs: config.delivery.backoffMs }, logger };
  const targets = createDeliveryTargets({
    mail: { ...config.mail },
    webhook: { allowPrivate: config.delivery.webhookAllowPrivate, timeoutMs: config.delivery.webhookTimeoutMs },
    connectTimeoutMs: config.delivery.connectTimeoutMs,
    partSizeBytes: config.delivery.partSizeBytes,
  });
  const registry: HandlerRegistry = {
    [JobName.runExport]: createRunExportHandler({
      jobs,
      ports,
      slots: new WorkspaceSlots(redis, config.redis.queuePrefix, config.limits.workspaceMaxRunningExports, slotLeaseMs),
      secrets,
      logger,
      slotRetryMs: 2_000,
      slotLeaseMs,
      events: new ExportEventPublisher(redis, config.redis.queuePrefix),
      metrics,
      cancels,
      conversion: staging,
      sourceDatabase: databaseName(config.database.analyticsUrl),
      onFinished: (exportJobId, event) => releaseDeliveries(release, exportJobId, event),
    }),
    [JobName.sweepPartialArtifacts]: createSweepPartialArtifactsHandler(store, jobs, logger),
    [JobName.requeueOrphanedExports]: createRequeueOrphanedExportsHandler(jobs, queues, store, logger),
    [JobName.expireExports]: createExpireExportsHandler(jobs, store, logger),
    [JobName.fireSchedule]: createFireScheduleHandler(scheduling.deps, logger),
    [JobName.startScheduleRun]: createStartScheduleRunHandler(scheduling.deps, logger),
    [JobName.applyScheduleRetention]: createApplyScheduleRetentionHandler({ jobs, runs: scheduling.deps.runs, store }, logger),
    [JobName.validateExport]: createValidateExportHandler({
      activity: new ExportActivityRepository(dataSource),
      jobs,
      store,
      ...staging,
      secrets: { key: config.secrets.key, previousKeys: config.secrets.previousKeys },
      logger,
    }),
    [JobName.deliverExport]: createDeliverExportHandler({
      deliveries,
      jobs,
      credentials: new CredentialRepository(dataSource),
      deliverySettings: new DeliverySettingsRepository(dataSource),
      store,
      targets,
      secrets,
      linkSigner,
      publicBaseUrl: config.http.publicBaseUrl,
      linkTtlSeconds: config.mail.linkTtlSeconds,
      logger,
    }),
    [JobName.reconcileDeliveries]: createReconcileDeliveriesHandler(release),
  };
  assertRegistryComplete(registry);
  // Adapters name their own failures at their boundary (row source, store, Parquet stager); dispatch only reads them.
  const context: DispatchContext = { registry, logger };

  const abort = new AbortController();
  const settings = {
    prefix: config.redis.queuePrefix,
    concurrency: config.worker.concurrency,
    lockDurationMs: config.worker.lockDurationMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
    maxStalledCount: config.worker.maxStalledCount,
  };
  const workers = Object.values(QueueName).map((queue) => {
    // BullMQ aborts a job's signal on worker.cancelJob; the shutdown signal stops every job at once.
    // Deliveries wait on networks, not on CPU: they run with a concurrency of their own.
    const concurrency = queue === QueueName.deliveries ? config.delivery.concurrency : settings.concurrency;
    const worker = startWorker(queue, redis, { ...settings, concurrency }, (job, token, signal) =>
      dispatch(context, job, token, signal ? AbortSignal.any([signal, abort.signal]) : abort.signal),
    );
    worker.on('error', (error) => logger.error('worker error', { queue, error }));
    instrumentWorker(worker, queue, metrics);
    // A lock that could not be renewed (an event-loop stall, a frozen VM, a Redis outage) may already be
    // another worker's: stop this attempt rather than race it. The run id fences whatever it still does.
    worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) {
        logger.warn('lost the lock of a running job; stopping this attempt', { queue, jobId });
        worker.cancelJob(jobId, 'lost the job lock');
      }
    });
    worker.on('stalled', (jobId) => logger.warn('job stalled (its worker stopped or froze); BullMQ will retry it', { queue, jobId }));
    // The one owner of "BullMQ gave up": a job failed without reaching its handler (a stall past the limit) fails its row here.
    worker.on('failed', (job) => void onBullMqFailure(job, jobs, store, logger, deliveries));
    return worker;
  });
  logger.info('worker started', { queues: Object.values(QueueName), concurrency: config.worker.concurrency, pid: process.pid });

  return {
    workers,
    async stop(graceMs = SHUTDOWN_GRACE_MS) {
      const closing = Promise.all(workers.map((worker) => worker.close()));
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([closing, timer])) === 'timeout') {
        logger.warn('shutdown grace period over; running jobs will be recovered by another worker');
        abort.abort(new Error('worker shutting down'));
        // Let the stopped attempts record themselves (retrying, files removed) before the pools close.
        await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, ABORT_GRACE_MS).unref())]);
      }
      await closeQueues(queues).catch(() => undefined);
      await metricsServer?.close();
      await cancels.close();
      redis.disconnect();
      await scheduling.close();
      await dataSource.destroy();
    },
  };
}

/** The database name of a PostgreSQL URL: what lineage names as the source database, without host or credentials. */
function databaseName(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || null;
  } catch {
    return null;
  }
}

/**
 * When BullMQ fails an export for good (after its last attempt, or at once for a job that stalled more
 * than WORKER_MAX_STALLED_COUNT times, which BullMQ fails on its next pick-up without calling the
 * processor), the export row is failed too, unless the handler already did. A failure this misses
 * (the database was away) is caught by the minute's reconciliation.
 */
async function onBullMqFailure(job: Job | undefined, jobs: ExportJobRepository, store: ArtifactStore, logger: Logger, deliveries: DeliveryRepository): Promise<void> {
  if (!job || (job.name !== JobName.runExport && job.name !== JobName.deliverExport)) return;
  try {
    if (!(await job.isFailed())) return;
    if (job.name === JobName.deliverExport) {
      // A delivery whose worker stalled past the limit; the handler's own final failure already said so otherwise.
      await deliveries.markFailed((job.data as { deliveryId: string }).deliveryId, jobFailure(FailureCode.workerStopped));
      return;
    }
    await failGivenUpExport((job.data as { exportJobId: string }).exportJobId, job.failedReason, jobs, store, logger);
  } catch (error) {
    logger.error('could not record a failed export', { jobId: job.id, error });
  }
}

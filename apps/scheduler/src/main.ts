import { loadConfigOrExit } from '@export-service/config';
import { openMetadataStore, ScheduleRepository, ScheduleRunRepository } from '@export-service/db';
import { createLogger } from '@export-service/logger';
import { ServiceMetrics, startMetricsServer } from '@export-service/metrics';
import { closeQueues, createRedisConnection, openQueues } from '@export-service/queue';
import { reconcileFirings } from '@export-service/schedules';
import { reconcileSchedules, systemSchedules } from './reconcile-schedules';

const RECONCILE_SYSTEM_EVERY_MS = 60_000;

/**
 * The scheduler: keeps BullMQ in step with the database. System jobs are BullMQ job schedulers; each
 * schedule of the schedules table has its next period's firing queued as one delayed job with a
 * deterministic id, so any number of replicas queue each firing once, and a flushed Redis is rebuilt
 * from the table within SCHEDULER_RECONCILE_MS. It holds no state of its own.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ service: 'scheduler', level: config.log.level, format: config.log.format });
  const dataSource = await openMetadataStore({ url: config.database.url, poolSize: 2, applicationName: 'export-scheduler', migrate: true });
  const redis = createRedisConnection(config.redis.url, 'worker');
  const queues = openQueues(redis, config.redis.queuePrefix, { attempts: config.worker.attempts, backoffMs: config.worker.backoffMs });
  const scheduling = { schedules: new ScheduleRepository(dataSource), runs: new ScheduleRunRepository(dataSource), queues };
  const reconcileSystem = async () => {
    try {
      logger.debug('system schedules reconciled', await reconcileSchedules(queues, systemSchedules()));
    } catch (error) {
      logger.error('reconciling system schedules failed; retrying next round', { error });
    }
  };
  let isReconciling = false;
  const reconcileTable = async () => {
    if (isReconciling) return;
    isReconciling = true;
    try {
      const result = await reconcileFirings(scheduling, { pendingAfterMs: Math.max(2 * config.schedules.runRetryMs, 10_000) });
      logger.debug('schedule firings reconciled', { ...result });
    } catch (error) {
      logger.error('reconciling schedule firings failed; retrying next round', { error });
    } finally {
      isReconciling = false;
    }
  };
  // Process metrics and /healthz for the liveness probe, when METRICS_PORT is set.
  const metricsServer =
    config.ops.metricsPort > 0 ? await startMetricsServer({ metrics: new ServiceMetrics('scheduler'), port: config.ops.metricsPort, token: config.ops.metricsToken }) : null;
  await reconcileSystem();
  await reconcileTable();
  logger.info('scheduler started', { schedules: systemSchedules().map((schedule) => schedule.id), reconcileMs: config.schedules.reconcileMs, pid: process.pid });
  const timers = [setInterval(() => void reconcileSystem(), RECONCILE_SYSTEM_EVERY_MS), setInterval(() => void reconcileTable(), config.schedules.reconcileMs)];
  const stop = async () => {
    for (const timer of timers) clearInterval(timer);
    await metricsServer?.close();
    await closeQueues(queues);
    redis.disconnect();
    await dataSource.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`scheduler failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

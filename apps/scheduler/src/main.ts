import { loadConfigOrExit } from '@export-service/config';
import { createLogger } from '@export-service/logger';
import { ServiceMetrics, startMetricsServer } from '@export-service/metrics';
import { closeQueues, createRedisConnection, openQueues } from '@export-service/queue';
import { reconcileSchedules, systemSchedules } from './reconcile-schedules';

const RECONCILE_EVERY_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ service: 'scheduler', level: config.log.level, format: config.log.format });
  const redis = createRedisConnection(config.redis.url, 'worker');
  const queues = openQueues(redis, config.redis.queuePrefix, { attempts: config.worker.attempts, backoffMs: config.worker.backoffMs });
  const reconcile = async () => {
    try {
      const result = await reconcileSchedules(queues, systemSchedules());
      logger.debug('schedules reconciled', result);
    } catch (error) {
      logger.error('reconciling schedules failed; retrying next round', { error });
    }
  };
  // Process metrics and /healthz for the liveness probe, when METRICS_PORT is set.
  const metricsServer =
    config.ops.metricsPort > 0 ? await startMetricsServer({ metrics: new ServiceMetrics('scheduler'), port: config.ops.metricsPort, token: config.ops.metricsToken }) : null;
  await reconcile();
  logger.info('scheduler started', { schedules: systemSchedules().map((schedule) => schedule.id), pid: process.pid });
  const timer = setInterval(() => void reconcile(), RECONCILE_EVERY_MS);
  const stop = async () => {
    clearInterval(timer);
    await metricsServer?.close();
    await closeQueues(queues);
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`scheduler failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

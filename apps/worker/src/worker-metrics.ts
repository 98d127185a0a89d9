import type { Job, Worker } from 'bullmq';
import type { AppConfig } from '@export-service/config';
import { ServiceMetrics, startMetricsServer, type MetricsServer } from '@export-service/metrics';
import type { Logger } from '@export-service/logger';

/**
 * Counts every job attempt that ends on this worker: completed, failed for good, or failed with a
 * retry to follow (BullMQ sets `finishedOn` only when it gives up). Moves to delayed (a workspace slot
 * wait, a stopped attempt) are not attempts that ended and are not counted.
 */
export function instrumentWorker(worker: Worker, queue: string, metrics: ServiceMetrics): void {
  worker.on('completed', (job: Job) => metrics.recordJob(queue, job.name, 'completed'));
  worker.on('failed', (job: Job | undefined) => {
    if (job) metrics.recordJob(queue, job.name, job.finishedOn ? 'failed' : 'retried');
  });
}

/** The worker's metrics, and their server on METRICS_PORT when one is set (0: none). */
export async function startWorkerMetrics(config: AppConfig, logger: Logger): Promise<{ metrics: ServiceMetrics; server: MetricsServer | null }> {
  const metrics = new ServiceMetrics('worker');
  if (config.ops.metricsPort === 0) return { metrics, server: null };
  const server = await startMetricsServer({ metrics, port: config.ops.metricsPort, token: config.ops.metricsToken });
  logger.info('metrics served', { port: server.port, path: '/metrics' });
  return { metrics, server };
}

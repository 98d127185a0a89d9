import { EventEmitter } from 'node:events';
import type { Worker } from 'bullmq';
import { ServiceMetrics } from '@export-service/metrics';
import { instrumentWorker } from './worker-metrics';

it('counts an attempt with a retry to follow as retried, one BullMQ gave up on as failed', async () => {
  const metrics = new ServiceMetrics('worker');
  const events = new EventEmitter();
  instrumentWorker(events as unknown as Worker, 'exports', metrics);
  events.emit('completed', { name: 'run-export' });
  events.emit('failed', { name: 'run-export', finishedOn: undefined });
  events.emit('failed', { name: 'run-export', finishedOn: undefined });
  events.emit('failed', { name: 'run-export', finishedOn: Date.now() });
  events.emit('failed', undefined);
  const text = await metrics.registry.getSingleMetricAsString('queue_jobs_finished_total');
  expect(text).toContain('queue_jobs_finished_total{queue="exports",name="run-export",outcome="completed",service="worker"} 1');
  expect(text).toContain('queue_jobs_finished_total{queue="exports",name="run-export",outcome="retried",service="worker"} 2');
  expect(text).toContain('queue_jobs_finished_total{queue="exports",name="run-export",outcome="failed",service="worker"} 1');
});

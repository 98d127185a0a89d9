import { ServiceMetrics } from './service-metrics';

it('records delivery attempts by method and outcome, with their duration, for the delivery code to call', async () => {
  const metrics = new ServiceMetrics('worker');
  metrics.recordDeliveryAttempt('sftp', 'success', 1.2);
  metrics.recordDeliveryAttempt('sftp', 'retry', 0.3);
  metrics.recordDeliveryAttempt('email', 'failure', 4);
  const { body } = await metrics.render();
  expect(body).toContain('delivery_attempts_total{method="sftp",outcome="success",service="worker"} 1');
  expect(body).toContain('delivery_attempts_total{method="email",outcome="failure",service="worker"} 1');
  expect(body).toContain('delivery_duration_seconds_count{service="worker",method="sftp",outcome="retry"} 1');
});

it('reports no queue depth, rather than failing the scrape, when Redis cannot be read', async () => {
  const metrics = new ServiceMetrics('api');
  metrics.watchQueues([{ name: 'exports', getJobCounts: () => Promise.reject(new Error('Connection is closed')) }]);
  const { body } = await metrics.render();
  expect(body).toContain('# TYPE queue_jobs gauge');
  expect(body).not.toMatch(/^queue_jobs\{/m);
  expect(body).toContain('process_cpu_user_seconds_total');
});

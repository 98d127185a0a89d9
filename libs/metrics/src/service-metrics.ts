import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process a registry belongs to (a label on every series). */
export type ServiceName = 'api' | 'worker' | 'scheduler';

/** What a queue must offer to be measured (BullMQ's Queue does). */
export interface MeasuredQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** BullMQ job states whose depth is reported. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'failed', 'completed'] as const;

/** How one job attempt ended, for `queue_jobs_finished_total`. */
export type JobOutcome = 'completed' | 'failed' | 'retried';

/** How one delivery attempt ended (the delivery code picks; keep the set small). */
export type DeliveryOutcome = 'success' | 'retry' | 'failure';

/** Seconds: exports run from a second to an hour. */
const EXPORT_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DELIVERY_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The service's Prometheus metrics, one registry per process (no global state, so tests build as many
 * as they like). Labels are bounded sets: route templates, never raw paths; formats; queue names.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** HTTP latency by method, route template and status. */
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  /** Job attempts by queue, job name and outcome (`retried`: failed, another attempt follows). */
  readonly jobsFinished = new Counter({
    name: 'queue_jobs_finished_total',
    help: 'Job attempts that ended, by queue, job name and outcome (completed, failed for good, retried).',
    labelNames: ['queue', 'name', 'outcome'],
    registers: [this.registry],
  });
  readonly exportDuration = new Histogram({
    name: 'export_duration_seconds',
    help: 'Time from an export attempt starting to its files being recorded, by format.',
    labelNames: ['format'],
    buckets: EXPORT_BUCKETS,
    registers: [this.registry],
  });
  readonly rowsWritten = new Counter({
    name: 'export_rows_written_total',
    help: 'Rows written into completed exports, by format.',
    labelNames: ['format'],
    registers: [this.registry],
  });
  readonly bytesWritten = new Counter({
    name: 'export_bytes_written_total',
    help: 'Bytes of the files of completed exports (after compression and encryption), by format.',
    labelNames: ['format'],
    registers: [this.registry],
  });
  readonly deliveryAttempts = new Counter({
    name: 'delivery_attempts_total',
    help: 'Delivery attempts by method and outcome.',
    labelNames: ['method', 'outcome'],
    registers: [this.registry],
  });
  readonly deliveryDuration = new Histogram({
    name: 'delivery_duration_seconds',
    help: 'Time one delivery attempt took, by method and outcome.',
    labelNames: ['method', 'outcome'],
    buckets: DELIVERY_BUCKETS,
    registers: [this.registry],
  });

  constructor(readonly service: ServiceName) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  /** A completed export: its duration, rows and bytes, under its format. */
  recordExport(format: string, seconds: number, rows: number, bytes: number): void {
    this.exportDuration.observe({ format }, seconds);
    this.rowsWritten.inc({ format }, rows);
    this.bytesWritten.inc({ format }, bytes);
  }

  /** One delivery attempt (email, s3, sftp, ftp, webhook): the delivery code calls this once per attempt. */
  recordDeliveryAttempt(method: string, outcome: DeliveryOutcome, seconds: number): void {
    this.deliveryAttempts.inc({ method, outcome });
    this.deliveryDuration.observe({ method, outcome }, seconds);
  }

  /** One job attempt that ended. */
  recordJob(queue: string, name: string, outcome: JobOutcome): void {
    this.jobsFinished.inc({ queue, name, outcome });
  }

  /** Reports the depth of every queue by state, read from Redis at scrape time. */
  watchQueues(queues: readonly MeasuredQueue[]): void {
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in each queue by state, read at scrape time.',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        // A scrape while Redis is away reports no depth rather than failing every other series.
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...QUEUE_STATES))).catch(() => null);
        this.reset();
        if (!counts) return;
        queues.forEach((queue, index) => {
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[index]?.[state] ?? 0);
        });
      },
    });
  }

  /** The text exposition format Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

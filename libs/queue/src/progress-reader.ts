import type { Redis } from './redis-connection';
import { QueueName, type ExportProgress } from '@export-service/contracts';

/**
 * Reads the live progress a worker publishes on an export's BullMQ job, and nothing else: the API's
 * status read changes no state (BullMQ's own failure of a job is handled by the workers' listener).
 */
export class ProgressReader {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** True once BullMQ has finished the export's job (completed, or failed for good): a listener's safety net. */
  async isJobFinished(exportJobId: string): Promise<boolean> {
    return (await this.redis.hget(`${this.prefix}:${QueueName.exports}:${exportJobId}`, 'finishedOn')) !== null;
  }

  /** The latest progress of a running export, or null when none was published (or the job is gone). */
  async exportProgress(exportJobId: string): Promise<Partial<ExportProgress> | null> {
    const raw = await this.redis.hget(`${this.prefix}:${QueueName.exports}:${exportJobId}`, 'progress');
    if (!raw) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Partial<ExportProgress>) : null;
    } catch {
      return null;
    }
  }
}

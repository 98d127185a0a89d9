import type { Job } from 'bullmq';
import type { ExportProgress } from '@export-service/contracts';
import type { ProgressSink } from '@export-service/export-core';

/** Where progress goes besides the BullMQ job: the export's pub/sub channel, for live streams. */
export type ProgressPublish = (progress: ExportProgress) => Promise<void>;

/**
 * Publishes progress at most every `intervalMs`: on the BullMQ job in Redis, where the status read
 * finds it, and on the export's pub/sub channel, which live event streams of any API replica hear.
 */
export class RedisProgressSink implements ProgressSink {
  private latest: ExportProgress | null = null;
  private lastSent = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: Job,
    private readonly intervalMs = 500,
    private readonly publish: ProgressPublish = async () => undefined,
  ) {}

  report(progress: ExportProgress): void {
    this.latest = progress;
    if (Date.now() - this.lastSent >= this.intervalMs) void this.send();
  }

  async flush(): Promise<void> {
    await this.send();
  }

  private send(): Promise<void> {
    const progress = this.latest;
    if (!progress) return this.sending;
    this.lastSent = Date.now();
    // Progress is advisory: a lost update must never fail the export.
    this.sending = this.sending.then(() =>
      Promise.all([this.job.updateProgress({ ...progress }), this.publish({ ...progress })]).then(
        () => undefined,
        () => undefined,
      ),
    );
    return this.sending;
  }
}

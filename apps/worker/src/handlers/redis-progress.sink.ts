import type { Job } from 'bullmq';
import type { ExportProgress } from '@export-service/contracts';
import type { ProgressSink } from '@export-service/export-core';

/** Publishes progress on the BullMQ job in Redis, at most every `intervalMs`, where the API reads it. */
export class RedisProgressSink implements ProgressSink {
  private latest: ExportProgress | null = null;
  private lastSent = 0;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: Job,
    private readonly intervalMs = 500,
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
    this.sending = this.sending.then(() => this.job.updateProgress({ ...progress }).catch(() => undefined));
    return this.sending;
  }
}

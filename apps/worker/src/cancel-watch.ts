import type { Redis } from '@export-service/queue';
import type { ExportJobRepository } from '@export-service/db';
import type { Logger } from '@export-service/logger';
import { cancelChannel } from '@export-service/queue';

/** Why a watched attempt was stopped. */
export const CANCELLED = 'export cancelled';

/**
 * Stops running attempts of cancelled exports, whichever worker process runs them: a Redis pub/sub
 * message reaches every worker at once (BullMQ's `cancelJob` reaches only its own process), and each
 * watched attempt also asks the database every `pollMs`, so a message missed while Redis reconnected
 * still stops it within seconds.
 */
export class CancelWatch {
  private readonly watched = new Map<string, Set<AbortController>>();

  private constructor(
    private readonly subscriber: Redis,
    private readonly jobs: ExportJobRepository,
    private readonly pollMs: number,
  ) {}

  /** Subscribes to the cancellation channel on its own connection. */
  static async start(redis: Redis, prefix: string, jobs: ExportJobRepository, logger: Logger, pollMs = 1_000): Promise<CancelWatch> {
    const subscriber = redis.duplicate();
    const watch = new CancelWatch(subscriber, jobs, pollMs);
    subscriber.on('message', (_channel: string, exportJobId: string) => watch.abort(exportJobId));
    subscriber.on('error', (error) => logger.warn('cancellation channel error; polling still stops cancelled exports', { error }));
    await subscriber.subscribe(cancelChannel(prefix));
    return watch;
  }

  /** A signal aborted when the export is cancelled; `stop` when the attempt ends. */
  watch(exportJobId: string): { signal: AbortSignal; stop(): void } {
    const controller = new AbortController();
    const set = this.watched.get(exportJobId) ?? new Set();
    set.add(controller);
    this.watched.set(exportJobId, set);
    const poll = setInterval(() => {
      void this.jobs
        .isCancelled(exportJobId)
        .then((isCancelled) => isCancelled && controller.abort(new Error(CANCELLED)))
        .catch(() => undefined);
    }, this.pollMs);
    poll.unref();
    return {
      signal: controller.signal,
      stop: () => {
        clearInterval(poll);
        set.delete(controller);
        if (set.size === 0) this.watched.delete(exportJobId);
      },
    };
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }

  private abort(exportJobId: string): void {
    for (const controller of this.watched.get(exportJobId) ?? []) controller.abort(new Error(CANCELLED));
  }
}

import { FINISHED_STATUSES, type ExportProgress, type ExportStatus } from '@export-service/contracts';
import type { Redis } from './redis-connection';

/** What a worker says about a running export on its pub/sub channel. */
export type ExportEvent = { type: 'progress'; progress: ExportProgress } | { type: 'finished'; status: ExportStatus };

/** The pub/sub channel of one export's live events (any API replica may listen). */
export function exportEventsChannel(prefix: string, exportJobId: string): string {
  return `${prefix}:export-events:${exportJobId}`;
}

function parseEvent(raw: string): ExportEvent | null {
  try {
    const parsed = JSON.parse(raw) as Partial<ExportEvent> | null;
    if (parsed?.type === 'progress' && parsed.progress && typeof parsed.progress === 'object') return parsed as ExportEvent;
    if (parsed?.type === 'finished' && FINISHED_STATUSES.includes(parsed.status as ExportStatus)) return parsed as ExportEvent;
    return null;
  } catch {
    return null;
  }
}

/**
 * Publishes an export's live events (the worker's progress sink, and whoever finishes an export row).
 * Advisory: a lost message never fails an export; listeners also notice a finish on their own.
 */
export class ExportEventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async progress(exportJobId: string, progress: ExportProgress): Promise<void> {
    await this.publish(exportJobId, { type: 'progress', progress });
  }

  /** The export row has reached a final status (completed, failed, cancelled). */
  async finished(exportJobId: string, status: ExportStatus): Promise<void> {
    await this.publish(exportJobId, { type: 'finished', status });
  }

  private async publish(exportJobId: string, event: ExportEvent): Promise<void> {
    await this.redis.publish(exportEventsChannel(this.prefix, exportJobId), JSON.stringify(event)).catch(() => undefined);
  }
}

type Listener = (event: ExportEvent) => void;

/**
 * One subscriber connection per API process for every open event stream: a channel is subscribed
 * while at least one stream listens to it and unsubscribed when the last one leaves.
 */
export class ExportEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      const event = parseEvent(message);
      if (!event) return;
      for (const listener of this.listeners.get(channel) ?? []) listener(event);
    });
  }

  /** Listens to an export's events; resolves once subscribed, with the function that stops listening. */
  async listen(exportJobId: string, listener: Listener): Promise<() => Promise<void>> {
    const channel = exportEventsChannel(this.prefix, exportJobId);
    let group = this.listeners.get(channel);
    if (!group) {
      group = new Set();
      this.listeners.set(channel, group);
    }
    group.add(listener);
    if (group.size === 1) await this.subscriber.subscribe(channel);
    let isStopped = false;
    return async () => {
      if (isStopped) return;
      isStopped = true;
      group.delete(listener);
      if (group.size > 0 || this.listeners.get(channel) !== group) return;
      this.listeners.delete(channel);
      await this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
  }

  /** Channels with at least one listener (for tests and diagnostics). */
  get channelCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriber.disconnect();
  }
}

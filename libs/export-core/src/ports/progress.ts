import type { ExportProgress } from '@export-service/contracts';

/** Receives progress as an export runs; implementations throttle and publish it. */
export interface ProgressSink {
  report(progress: ExportProgress): void;
  /** Publishes the latest progress now. */
  flush(): Promise<void>;
}

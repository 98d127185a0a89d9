import type { Job } from 'bullmq';
import type { JobName, JobPayloads } from '@export-service/contracts';

/** What a handler gets besides its payload. */
export interface JobContext {
  job: Job;
  token: string | undefined;
  /** Aborted when the worker shuts down hard. */
  signal: AbortSignal;
}

/** One handler per job name. */
export interface JobHandler<N extends JobName> {
  perform(payload: JobPayloads[N], context: JobContext): Promise<void>;
  /** Called when an attempt fails; `isFinal` when no retry follows. */
  onFailure?(payload: JobPayloads[N], error: Error, isFinal: boolean): Promise<void>;
}

/** Exactly one handler for every job name; a missing one is a compile error. */
export type HandlerRegistry = { [N in JobName]: JobHandler<N> };

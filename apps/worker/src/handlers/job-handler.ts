import type { Job } from 'bullmq';
import type { JobName, JobPayloads } from '@export-service/contracts';
import type { JobFailure } from '@export-service/errors';

/** What a handler gets besides its payload. */
export interface JobContext {
  job: Job;
  token: string | undefined;
  /** Aborted when the worker shuts down hard or loses the job's lock. */
  signal: AbortSignal;
}

/** One handler per job name. */
export interface JobHandler<N extends JobName> {
  perform(payload: JobPayloads[N], context: JobContext): Promise<void>;
  /** Called when an attempt fails, with the classified failure; `isFinal` when no retry follows. */
  onFailure?(payload: JobPayloads[N], failure: JobFailure, isFinal: boolean, context: JobContext): Promise<void>;
}

/** Exactly one handler for every job name; a missing one is a compile error. */
export type HandlerRegistry = { [N in JobName]: JobHandler<N> };

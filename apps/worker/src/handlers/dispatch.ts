import { DelayedError, RateLimitError, UnrecoverableError, WaitingChildrenError, WaitingError, type Job } from 'bullmq';
import { JobName } from '@export-service/contracts';
import { classifyFailure, FailureCode, jobFailure } from '@export-service/errors';
import type { Logger } from '@export-service/logger';
import type { HandlerRegistry, JobHandler } from './job-handler';

/** How soon a stopped attempt's job may run again (on any worker). */
const ABORTED_RETRY_MS = 1_000;

/** BullMQ's own control signals: a job moved to delayed, waiting for children or rate limited. They are not failures. */
const CONTROL_ERRORS = [DelayedError, WaitingChildrenError, WaitingError, RateLimitError] as const;
const CONTROL_NAMES: ReadonlySet<string> = new Set(CONTROL_ERRORS.map((type) => type.name));

/** True for the errors BullMQ expects a processor to throw through untouched. */
export function isQueueControlError(thrown: unknown): boolean {
  return thrown instanceof Error && (CONTROL_ERRORS.some((type) => thrown instanceof type) || CONTROL_NAMES.has(thrown.name));
}

/** Fails the boot when a job name has no handler (or a handler no job name). */
export function assertRegistryComplete(registry: HandlerRegistry): void {
  const names = Object.values(JobName) as string[];
  const missing = names.filter((name) => typeof registry[name as JobName]?.perform !== 'function');
  const extra = Object.keys(registry).filter((name) => !names.includes(name));
  if (missing.length > 0 || extra.length > 0) throw new Error(`job handler registry mismatch: missing [${missing}] extra [${extra}]`);
}

/** What dispatch needs besides the job. */
export interface DispatchContext {
  registry: HandlerRegistry;
  logger: Logger;
}

/**
 * Runs a job through its handler. A failure is classified once: the handler hears it (and whether
 * it was the last attempt), BullMQ retries it with backoff unless it is permanent, and Bull Board
 * shows its code and sentence. BullMQ's control errors pass through untouched.
 */
export async function dispatch(context: DispatchContext, job: Job, token: string | undefined, signal: AbortSignal): Promise<void> {
  const handler = context.registry[job.name as JobName] as JobHandler<JobName> | undefined;
  if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
  try {
    await handler.perform(job.data, { job, token, signal });
  } catch (thrown) {
    if (isQueueControlError(thrown)) throw thrown;
    // Once the attempt was told to stop, whatever it threw on the way out is that stop. A stopped
    // attempt is never the last word: BullMQ hands the job to another worker (stall recovery).
    const isAborted = signal.aborted;
    const failure = isAborted ? jobFailure(FailureCode.attemptAborted) : classifyFailure(thrown);
    const isPermanent = !isAborted && (failure.isPermanent || thrown instanceof UnrecoverableError);
    const isFinal = !isAborted && (isPermanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
    context.logger.error('job attempt failed', { job: job.name, jobId: job.id, attempt: job.attemptsMade + 1, isFinal, code: failure.code, error: thrown });
    await handler.onFailure?.(job.data, failure, isFinal, { job, token, signal }).catch((error: unknown) => context.logger.error('failure handler failed', { error }));
    if (isAborted) {
      // Back to the queue without spending an attempt (a shutdown or lost lock is not the export's
      // fault). With a lost lock the token is stale and this fails: the job is another worker's then.
      await job.moveToDelayed(Date.now() + ABORTED_RETRY_MS, token).catch(() => undefined);
      throw new DelayedError();
    }
    const reason = `${failure.code}: ${failure.message}`;
    throw isPermanent ? new UnrecoverableError(reason) : new Error(reason, { cause: thrown });
  }
}

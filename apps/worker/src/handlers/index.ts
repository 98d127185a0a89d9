import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { JobName } from '@export-service/contracts';
import { PermanentError } from '@export-service/errors';
import type { Logger } from '@export-service/logger';
import type { HandlerRegistry, JobHandler } from './job-handler';

/**
 * Database errors a retry cannot fix: data exceptions (class 22), integrity (23) and syntax or
 * undefined objects (42). Connection losses (08, 57) stay transient.
 */
function isPermanentDatabaseError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|42)[0-9A-Z]{3}$/.test(code);
}

/** Fails the boot when a job name has no handler (or a handler no job name). */
export function assertRegistryComplete(registry: HandlerRegistry): void {
  const names = Object.values(JobName) as string[];
  const missing = names.filter((name) => typeof registry[name as JobName]?.perform !== 'function');
  const extra = Object.keys(registry).filter((name) => !names.includes(name));
  if (missing.length > 0 || extra.length > 0) throw new Error(`job handler registry mismatch: missing [${missing}] extra [${extra}]`);
}

/**
 * Runs a job through its handler. Errors propagate so BullMQ retries with backoff; permanent ones
 * become UnrecoverableError; the handler hears about every failure, and whether it was the last.
 */
export async function dispatch(registry: HandlerRegistry, job: Job, token: string | undefined, signal: AbortSignal, logger: Logger): Promise<void> {
  const handler = registry[job.name as JobName] as JobHandler<JobName> | undefined;
  if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
  try {
    await handler.perform(job.data, { job, token, signal });
  } catch (thrown) {
    if (thrown instanceof DelayedError) throw thrown;
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const isPermanent = error instanceof PermanentError || error instanceof UnrecoverableError || isPermanentDatabaseError(error);
    const isFinal = isPermanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    logger.error('job attempt failed', { job: job.name, jobId: job.id, attempt: job.attemptsMade + 1, isFinal, error });
    await handler.onFailure?.(job.data, error, isFinal).catch((failure: unknown) => logger.error('failure handler failed', { error: failure }));
    if (isPermanent) throw new UnrecoverableError(error.message);
    throw error;
  }
}

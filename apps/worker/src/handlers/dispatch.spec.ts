import { DelayedError, RateLimitError, UnrecoverableError, WaitingChildrenError, type Job } from 'bullmq';
import { JobName } from '@export-service/contracts';
import { failWith, FailureCode, type JobFailure } from '@export-service/errors';
import { createLogger } from '@export-service/logger';
import { PassThrough } from 'node:stream';
import { assertRegistryComplete, dispatch, isQueueControlError, type DispatchContext } from './dispatch';
import type { HandlerRegistry } from './job-handler';

/** The parts of a BullMQ job dispatch reads. */
function jobOf(name: string, attemptsMade: number, attempts: number): Job {
  return { name, id: 'job-1', data: { exportJobId: 'job_x' }, attemptsMade, opts: { attempts } } as unknown as Job;
}

/** A registry whose export handler throws `thrown` and records what onFailure heard. */
function contextThrowing(thrown: unknown): { context: DispatchContext; heard: Array<{ failure: JobFailure; isFinal: boolean }> } {
  const heard: Array<{ failure: JobFailure; isFinal: boolean }> = [];
  const registry: HandlerRegistry = {
    [JobName.runExport]: {
      perform: async () => {
        throw thrown;
      },
      onFailure: async (_payload, failure, isFinal) => void heard.push({ failure, isFinal }),
    },
    [JobName.sweepPartialArtifacts]: { perform: async () => undefined },
    [JobName.requeueOrphanedExports]: { perform: async () => undefined },
    [JobName.expireExports]: { perform: async () => undefined },
    [JobName.fireSchedule]: { perform: async () => undefined },
    [JobName.startScheduleRun]: { perform: async () => undefined },
    [JobName.applyScheduleRetention]: { perform: async () => undefined },
    [JobName.validateExport]: { perform: async () => undefined },
    [JobName.deliverExport]: { perform: async () => undefined },
    [JobName.reconcileDeliveries]: { perform: async () => undefined },
  };
  const logger = createLogger({ service: 'test', level: 'error', format: 'json', stream: new PassThrough() });
  return { context: { registry, logger }, heard };
}

describe('dispatch', () => {
  it.each([new DelayedError(), new WaitingChildrenError(), new RateLimitError()])('lets BullMQ control error %p through untouched, without a failure', async (control) => {
    const { context, heard } = contextThrowing(control);
    await expect(dispatch(context, jobOf(JobName.runExport, 0, 3), 'token', new AbortController().signal)).rejects.toBe(control);
    expect(heard).toEqual([]);
    expect(isQueueControlError(control)).toBe(true);
  });

  it('turns a permanent failure into UnrecoverableError and tells the handler it was final', async () => {
    const { context, heard } = contextThrowing(failWith(FailureCode.rowTooLarge, 'a single row does not fit in max_size_mb'));
    const thrown = await dispatch(context, jobOf(JobName.runExport, 0, 3), 'token', new AbortController().signal).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toBe('row_too_large: a single row does not fit in max_size_mb');
    expect(heard).toEqual([{ failure: { code: 'row_too_large', message: 'a single row does not fit in max_size_mb', isPermanent: true }, isFinal: true }]);
  });

  it('retries a transient failure an adapter named, and calls the last attempt final', async () => {
    const disk = failWith(FailureCode.storageFull);
    const first = contextThrowing(disk);
    const thrown = await dispatch(first.context, jobOf(JobName.runExport, 0, 3), 'token', new AbortController().signal).catch((error: unknown) => error);
    expect(thrown).not.toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toBe('storage_full: the export storage is full');
    expect(first.heard).toEqual([{ failure: expect.objectContaining({ code: 'storage_full' }), isFinal: false }]);

    const last = contextThrowing(disk);
    await expect(dispatch(last.context, jobOf(JobName.runExport, 2, 3), 'token', new AbortController().signal)).rejects.toThrow('storage_full');
    expect(last.heard[0]?.isFinal).toBe(true);
  });

  it('sends a stopped attempt back to the queue without spending an attempt, even the last one', async () => {
    const { context, heard } = contextThrowing(new Error('Connection terminated'));
    const moved: number[] = [];
    const job = Object.assign(jobOf(JobName.runExport, 2, 3), { moveToDelayed: async (until: number) => void moved.push(until) }) as unknown as Job;
    const stop = new AbortController();
    stop.abort(new Error('lost the job lock'));
    await expect(dispatch(context, job, 'token', stop.signal)).rejects.toBeInstanceOf(DelayedError);
    expect(moved).toHaveLength(1);
    expect(heard).toEqual([{ failure: expect.objectContaining({ code: 'attempt_aborted', isPermanent: false }), isFinal: false }]);
  });

  it('never shows an unknown error text to the client', async () => {
    const { context, heard } = contextThrowing(new Error('relation "secret_table" at /work/x.ts:3'));
    await expect(dispatch(context, jobOf(JobName.runExport, 0, 1), 'token', new AbortController().signal)).rejects.toThrow('internal_error');
    expect(heard[0]?.failure.message).not.toContain('secret_table');
  });

  it('refuses a job name with no handler, and a registry with a gap', async () => {
    const { context } = contextThrowing(new Error('x'));
    await expect(dispatch(context, jobOf('no-such-job', 0, 1), 'token', new AbortController().signal)).rejects.toBeInstanceOf(UnrecoverableError);
    const incomplete = { ...context.registry } as Partial<HandlerRegistry>;
    delete incomplete[JobName.sweepPartialArtifacts];
    expect(() => assertRegistryComplete(incomplete as HandlerRegistry)).toThrow(/missing \[sweep-partial-artifacts\]/);
  });
});

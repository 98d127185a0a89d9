import { classifyFailure, failWith, FailureCode, FAILURES, jobFailure, JobFailureError, type FailureClassifier } from './job-failure';

const enospc: FailureClassifier = (error) => ((error as { code?: string }).code === 'ENOSPC' ? jobFailure(FailureCode.storageFull) : null);

describe('classifyFailure', () => {
  it('takes a JobFailureError at its word', () => {
    expect(classifyFailure(failWith(FailureCode.rowTooLarge, 'a single row does not fit'))).toEqual({
      code: 'row_too_large',
      message: 'a single row does not fit',
      isPermanent: true,
    });
  });

  it('asks each adapter classifier, and finds a failure wrapped as a cause', () => {
    const disk = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
    expect(classifyFailure(disk, [enospc]).code).toBe('storage_full');
    expect(classifyFailure(new Error('stage failed', { cause: disk }), [enospc]).code).toBe('storage_full');
    expect(classifyFailure(new Error('outer', { cause: failWith(FailureCode.toolMissing) })).code).toBe('tool_missing');
  });

  it('calls anything unknown an internal error that is retried, without its text', () => {
    const failure = classifyFailure(new Error('SELECT secret FROM somewhere at /work/x.ts:1'), [enospc]);
    expect(failure).toEqual({ code: 'internal_error', message: FAILURES.internal_error.message, isPermanent: false });
    expect(classifyFailure('a string').code).toBe('internal_error');
  });

  it('keeps the table whole: every code has a sentence', () => {
    for (const code of Object.values(FailureCode)) expect(FAILURES[code].message.length).toBeGreaterThan(10);
    expect(new JobFailureError(jobFailure(FailureCode.storageDenied)).failure.isPermanent).toBe(true);
  });
});

import { classifyFailure, failWith, FailureCode, FAILURES, jobFailure, JobFailureError, wrapFailure, type FailureClassifier } from './job-failure';

const enospc: FailureClassifier = (error) => ((error as { code?: string }).code === 'ENOSPC' ? jobFailure(FailureCode.storageFull) : null);

describe('classifyFailure', () => {
  it('takes a JobFailureError at its word', () => {
    expect(classifyFailure(failWith(FailureCode.rowTooLarge, 'a single row does not fit'))).toEqual({
      code: 'row_too_large',
      message: 'a single row does not fit',
      isPermanent: true,
    });
  });

  it('finds a failure an adapter wrapped, also when a later stage wrapped it again', () => {
    const disk = wrapFailure(Object.assign(new Error('write failed'), { code: 'ENOSPC' }), enospc);
    expect(classifyFailure(disk).code).toBe('storage_full');
    expect(classifyFailure(new Error('stage failed', { cause: disk })).code).toBe('storage_full');
    expect(classifyFailure(new Error('outer', { cause: failWith(FailureCode.toolMissing) })).code).toBe('tool_missing');
  });

  it('calls anything no adapter named an internal error that is retried, without its text', () => {
    const failure = classifyFailure(Object.assign(new Error('SELECT secret FROM somewhere at /work/x.ts:1'), { code: 'ENOSPC' }));
    expect(failure).toEqual({ code: 'internal_error', message: FAILURES.internal_error.message, isPermanent: false });
    expect(classifyFailure('a string').code).toBe('internal_error');
  });

  it('wraps only what the classifier claims, keeping the original as the cause', () => {
    const original = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const wrapped = wrapFailure(original, enospc) as JobFailureError;
    expect(wrapped.failure.code).toBe('storage_full');
    expect(wrapped.cause).toBe(original);
    const other = new RangeError('x');
    expect(wrapFailure(other, enospc)).toBe(other);
    expect(wrapFailure(wrapped, () => jobFailure(FailureCode.internal))).toBe(wrapped);
  });

  it('keeps the table whole: every code has a sentence', () => {
    for (const code of Object.values(FailureCode)) expect(FAILURES[code].message.length).toBeGreaterThan(10);
    expect(new JobFailureError(jobFailure(FailureCode.storageDenied)).failure.isPermanent).toBe(true);
  });
});

import { JobFailureError } from '@export-service/errors';
import { asDatabaseFailure, classifyDatabaseError } from './database-failure';

const pgError = (code: string) => Object.assign(new Error(`server says ${code}`), { code, severity: 'ERROR' });

describe('classifyDatabaseError', () => {
  it.each([
    ['08006', 'database_unavailable', false],
    ['57P01', 'database_unavailable', false],
    ['53300', 'database_busy', false],
    ['40001', 'database_busy', false],
    ['57014', 'database_busy', false],
    ['42P01', 'query_rejected', true],
    ['22P02', 'query_rejected', true],
    ['23505', 'query_rejected', true],
  ])('SQLSTATE %s is %s (permanent: %s)', (sqlstate, code, isPermanent) => {
    const failure = classifyDatabaseError(pgError(sqlstate));
    expect(failure).toMatchObject({ code, isPermanent });
    expect(failure?.message).toContain(`SQLSTATE ${sqlstate}`);
  });

  it('reads socket errors and pg connection messages as a lost connection', () => {
    expect(classifyDatabaseError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))?.code).toBe('database_unavailable');
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly'))?.code).toBe('database_unavailable');
  });

  it('claims nothing else, so a disk or code error is not blamed on the database', () => {
    expect(classifyDatabaseError(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBeNull();
    expect(classifyDatabaseError(Object.assign(new Error('read-only file system'), { code: 'EROFS' }))).toBeNull();
    expect(classifyDatabaseError(Object.assign(new Error('broken pipe'), { code: 'EPIPE' }))?.code).toBe('database_unavailable');
    expect(classifyDatabaseError(new TypeError('undefined is not a function'))).toBeNull();
  });

  it('wraps at the boundary, keeping the original as the cause', () => {
    const original = pgError('42703');
    const wrapped = asDatabaseFailure(original) as JobFailureError;
    expect(wrapped).toBeInstanceOf(JobFailureError);
    expect(wrapped.cause).toBe(original);
    const other = new RangeError('x');
    expect(asDatabaseFailure(other)).toBe(other);
  });
});

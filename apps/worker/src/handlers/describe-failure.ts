import { PermanentError } from '@export-service/errors';

/**
 * The sentence a client sees for a failed attempt. Deliberate failures explain themselves; anything
 * else is described by kind only, never with SQL, paths or a stack (those go to the worker log).
 */
export function describeFailure(error: Error): string {
  if (error instanceof PermanentError) return error.message;
  const code = (error as { code?: string }).code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08003', '08001'].includes(code) || /Connection terminated/i.test(error.message)) {
    return 'lost the connection to the analytics database';
  }
  if (code === 'ENOSPC') return 'the worker ran out of disk space';
  if (/^[0-9A-Z]{5}$/.test(code)) return `the analytics database refused the query (SQLSTATE ${code})`;
  return 'an internal error stopped the export; it has been logged';
}

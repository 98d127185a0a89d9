/** Longest error sentence stored on a row. */
const MAX_ERROR_LENGTH = 1_000;

/** An error sentence cut to what a row keeps. */
export function trimError(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error;
}

/** TypeORM's raw UPDATE ... RETURNING result is `[rows, count]` on PostgreSQL. */
export function returned(result: unknown): unknown[] {
  if (Array.isArray(result) && Array.isArray(result[0])) return result[0] as unknown[];
  if (Array.isArray(result)) return result;
  return [];
}

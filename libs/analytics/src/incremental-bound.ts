import type pg from 'pg';

/**
 * The end of an incremental (`since_last_run`) range taken now: the earliest start of any
 * transaction still open on the analytics database, or now when none is. Every row stamped before
 * that bound was written by a transaction that has already finished, so every snapshot taken after
 * this call (the export's) sees all of them, and none arrives later behind the bound. A plain clock
 * bound would lose a row whose transaction started before the bound and committed after the export's
 * snapshot. The next run starts exactly here, so each row is exported once.
 *
 * It relies on rows being stamped by the database clock no earlier than their transaction's start
 * (`DEFAULT now()`, or the writer's `now()`); rows that arrive with older, client-side timestamps are
 * not incremental by time at all. Our own read-only sessions (`export-*` application names) write
 * nothing and are not waited for. The analytics role needs `pg_read_all_stats` (or `pg_monitor`) to
 * see other sessions' transaction starts.
 */
export async function incrementalUpperBound(pool: pg.Pool): Promise<Date> {
  const result = await pool.query<{ bound: Date }>(
    `SELECT least(statement_timestamp(), min(xact_start)) AS bound FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND application_name NOT LIKE 'export-%'`,
  );
  return result.rows[0]?.bound ?? new Date();
}

import type { DataSource } from 'typeorm';
import { FINISHED_STATUSES, type ExportStatus, type ScheduleRunTrigger } from '@export-service/contracts';
import { ScheduleRunEntity } from '../entities/schedule-run.entity';
import type { ExportRef } from './export-job.repository';
import { returned, trimError } from './sql-results';

/** What recording a run writes. */
export interface NewScheduleRun {
  id: string;
  scheduleId: string;
  periodKey: string;
  periodAt: Date;
  trigger: ScheduleRunTrigger;
  exportJobId: string;
  missedPeriods?: number;
}

/** A run as listed: the row and what its export is doing now. */
export type ScheduleRunView = ScheduleRunEntity & { exportStatus: ExportStatus | null };

/**
 * Schedule runs as a state machine: pending → started (its export exists) | failed (no export could
 * be made). A run is recorded once per (schedule, period): the unique key turns a second firing of
 * the same period into a no-op, and the export id chosen with the row makes creating its export
 * idempotent too.
 */
export class ScheduleRunRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the run unless its period already has one; returns the run of that period and whether this call made it. */
  async record(run: NewScheduleRun): Promise<{ run: ScheduleRunEntity; isNew: boolean }> {
    const inserted = (await this.dataSource.query(
      `INSERT INTO schedule_runs (id, schedule_id, period_key, period_at, trigger, status, export_job_id, missed_periods)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) ON CONFLICT (schedule_id, period_key) DO NOTHING RETURNING id`,
      [run.id, run.scheduleId, run.periodKey, run.periodAt, run.trigger, run.exportJobId, run.missedPeriods ?? 0],
    )) as Array<{ id: string }>;
    const existing = await this.dataSource.getRepository(ScheduleRunEntity).findOneByOrFail({ scheduleId: run.scheduleId, periodKey: run.periodKey });
    return { run: existing, isNew: inserted.length > 0 };
  }

  /** Records many periods at once (a backfill); returns the ones that had no run yet. */
  async recordMany(runs: NewScheduleRun[]): Promise<ScheduleRunEntity[]> {
    if (runs.length === 0) return [];
    const inserted = (await this.dataSource.query(
      `INSERT INTO schedule_runs (id, schedule_id, period_key, period_at, trigger, status, export_job_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
       ON CONFLICT (schedule_id, period_key) DO NOTHING RETURNING id`,
      [
        runs.map((run) => run.id),
        runs.map((run) => run.scheduleId),
        runs.map((run) => run.periodKey),
        runs.map((run) => run.periodAt),
        runs.map((run) => run.trigger),
        runs.map(() => 'pending'),
        runs.map((run) => run.exportJobId),
      ],
    )) as Array<{ id: string }>;
    if (inserted.length === 0) return [];
    return this.dataSource.getRepository(ScheduleRunEntity).find({ where: inserted.map((row) => ({ id: row.id })), order: { periodAt: 'ASC' } });
  }

  findById(id: string): Promise<ScheduleRunEntity | null> {
    return this.dataSource.getRepository(ScheduleRunEntity).findOneBy({ id });
  }

  /** Pending → started, with the range its incremental sources covered. False when it was not pending. */
  async markStarted(id: string, covered: { from: Date; to: Date } | null): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `UPDATE schedule_runs SET status = 'started', started_at = now(), covered_from = $2, covered_to = $3, error = NULL, error_code = NULL
        WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id, covered?.from ?? null, covered?.to ?? null],
    )) as unknown;
    return returned(rows).length > 0;
  }

  /** Pending → failed: no export can be made for it (its template no longer resolves, its schedule is gone). */
  async markFailed(id: string, failure: { code: string; message: string }): Promise<boolean> {
    const rows = (await this.dataSource.query(`UPDATE schedule_runs SET status = 'failed', error = $2, error_code = $3 WHERE id = $1 AND status = 'pending' RETURNING id`, [
      id,
      trimError(failure.message),
      failure.code,
    ])) as unknown;
    return returned(rows).length > 0;
  }

  /** Notes why a pending run waits (quota, an earlier incremental run still going), and counts the try. */
  async noteWaiting(id: string, reason: { code: string; message: string }): Promise<void> {
    await this.dataSource.query(`UPDATE schedule_runs SET attempts = attempts + 1, error = $2, error_code = $3 WHERE id = $1 AND status = 'pending'`, [
      id,
      trimError(reason.message),
      reason.code,
    ]);
  }

  /** The schedule's runs, newest period first, with their exports' status. */
  async listForSchedule(scheduleId: string, limit: number): Promise<ScheduleRunView[]> {
    const query = this.dataSource
      .getRepository(ScheduleRunEntity)
      .createQueryBuilder('r')
      .leftJoin('export_jobs', 'j', 'j.id = r.export_job_id')
      .addSelect('j.status', 'export_status')
      .where('r.schedule_id = :scheduleId', { scheduleId })
      .orderBy('r.period_at', 'DESC')
      .addOrderBy('r.created_at', 'DESC')
      .limit(limit);
    const { entities, raw } = await query.getRawAndEntities<{ export_status: ExportStatus | null }>();
    return entities.map((entity, index) => Object.assign(entity, { exportStatus: raw[index]?.export_status ?? null }));
  }

  /**
   * Where the schedule's last successful run stopped: the end of the range covered by the newest run
   * whose export completed. Null before the first success.
   */
  async lastSuccessfulEnd(scheduleId: string): Promise<Date | null> {
    const [row] = (await this.dataSource.query(
      `SELECT max(r.covered_to) AS end FROM schedule_runs r JOIN export_jobs j ON j.id = r.export_job_id WHERE r.schedule_id = $1 AND j.status = 'completed'`,
      [scheduleId],
    )) as Array<{ end: Date | null }>;
    return row?.end ?? null;
  }

  /** True while a run of the schedule recorded before this one has not finished (pending, or its export queued or running). */
  async hasUnfinishedBefore(run: ScheduleRunEntity): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM schedule_runs r LEFT JOIN export_jobs j ON j.id = r.export_job_id
        WHERE r.schedule_id = $1 AND (r.created_at, r.id) < ($2, $3)
          AND (r.status = 'pending' OR (r.status = 'started' AND (j.status IS NULL OR NOT (j.status = ANY($4)))))
        LIMIT 1`,
      [run.scheduleId, run.createdAt, run.id, FINISHED_STATUSES],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Pending runs recorded before the cutoff (their start job may have been lost with Redis), oldest first. */
  async pendingBefore(cutoff: Date, limit = 500): Promise<string[]> {
    const rows = (await this.dataSource.query(`SELECT id FROM schedule_runs WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2`, [cutoff, limit])) as Array<{
      id: string;
    }>;
    return rows.map((row) => row.id);
  }

  /**
   * Finished, undeleted exports of live schedules that their retention lets go at `now`: created more
   * than `keep_exports_days` ago (with `auto_cleanup`), or completed more than `auto_delete_after_days` ago.
   */
  async exportsPastRetention(now: Date, limit = 500): Promise<ExportRef[]> {
    return (await this.dataSource.query(
      `SELECT j.id, j.workspace_id AS "workspaceId" FROM export_jobs j JOIN export_schedules s ON s.id = j.schedule_id
        WHERE j.deleted_at IS NULL AND j.status = ANY($3) AND s.deleted_at IS NULL
          AND ((s.auto_cleanup AND s.keep_exports_days IS NOT NULL AND j.created_at < $1::timestamptz - make_interval(days => s.keep_exports_days))
            OR (s.auto_delete_after_days IS NOT NULL AND j.completed_at < $1::timestamptz - make_interval(days => s.auto_delete_after_days)))
        ORDER BY j.created_at LIMIT $2`,
      [now, limit, FINISHED_STATUSES],
    )) as ExportRef[];
  }
}

import type { ScheduleRunView, ScheduleWithLastRun } from '@export-service/db';
import { periodLabel } from '@export-service/schedules';

/** A schedule as the spec lists it, plus its timing, retention and dates. */
export function presentSchedule(schedule: ScheduleWithLastRun) {
  return {
    id: schedule.id,
    name: schedule.name,
    template_id: schedule.templateId,
    frequency: schedule.frequency,
    schedule: { ...schedule.timing, timezone: schedule.timezone },
    next_run: schedule.nextRun?.toISOString() ?? null,
    last_run: schedule.lastRun ? new Date(schedule.lastRun).toISOString() : null,
    is_active: schedule.isActive,
    delivery: { method: schedule.deliveryMethod, auto_delete_after_days: schedule.autoDeleteAfterDays },
    retention: { keep_exports_days: schedule.keepExportsDays, auto_cleanup: schedule.autoCleanup },
    created_at: schedule.createdAt.toISOString(),
    updated_at: schedule.updatedAt.toISOString(),
  };
}

/**
 * One run: its period, what started it, and its export. `status` is the run's own until its export
 * exists (`pending`, `failed`), then the export's (`queued` ... `completed`).
 */
export function presentRun(schedule: Pick<ScheduleWithLastRun, 'frequency' | 'timezone'>, run: ScheduleRunView) {
  const isStarted = run.status === 'started';
  return {
    run_id: run.id,
    period: run.trigger === 'manual' ? null : periodLabel(schedule.frequency, run.periodAt, schedule.timezone),
    period_start: run.periodAt.toISOString(),
    trigger: run.trigger,
    status: isStarted ? (run.exportStatus ?? 'queued') : run.status,
    export_job_id: isStarted ? run.exportJobId : null,
    tracking_url: isStarted ? `/api/v1/export/status/${run.exportJobId}` : null,
    covered: run.coveredFrom && run.coveredTo ? { from: run.coveredFrom.toISOString(), to: run.coveredTo.toISOString() } : null,
    missed_periods: run.missedPeriods,
    attempts: run.attempts,
    error: run.error,
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
  };
}

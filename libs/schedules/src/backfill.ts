import { MAX_BACKFILL_PERIODS } from '@export-service/contracts';
import type { ExportScheduleEntity, ScheduleRunEntity } from '@export-service/db';
import { errors, type ErrorDetail } from '@export-service/errors';
import { toInstantRange, newJobId } from '@export-service/exports';
import { addDays, firingsBetween, fromLocal } from '@export-service/periods';
import { newRunId } from './fire-schedule';
import type { ScheduleDeps } from './schedule-deps';
import { queueRunStarts } from './schedule-jobs';
import { recurrenceOf } from './schedule-timing';
import { isIncremental } from './template-request';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** What a backfill recorded: every period of the range, the runs it made, and the periods that had run already. */
export interface Backfill {
  periods: Date[];
  created: ScheduleRunEntity[];
  alreadyRun: number;
}

/**
 * `{start, end}` as instants: a date-only bound is a midnight of the schedule's zone (a date-only end
 * includes that whole day), an instant is exact. Throws 422 naming the field.
 */
function rangeIn(timeZone: string, start: string, end: string): { from: Date; to: Date } {
  const checked = toInstantRange(start, end);
  if ('field' in checked) throw errors.validation([{ field: checked.field, problem: checked.problem }]);
  const midnight = (date: string, days: number) => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    return fromLocal({ ...addDays({ year, month, day }, days), hour: 0, minute: 0 }, timeZone);
  };
  const from = DATE_ONLY.test(start) ? midnight(start, 0) : new Date(checked.range.from);
  const to = DATE_ONLY.test(end) ? midnight(end, 1) : new Date(checked.range.to);
  return { from, to };
}

/**
 * Records one run per period of the schedule that fires from `start` to `end` (up to now), each
 * exported under its period's name and with relative ranges read at its period, and queues their
 * starts. A period that ran already is left alone (the unique run key); more than 1,000 periods, a
 * range in the future or an incremental schedule are refused with 422.
 */
export async function backfillSchedule(deps: ScheduleDeps, schedule: ExportScheduleEntity, input: { start: string; end: string }, now = new Date()): Promise<Backfill> {
  const template = await deps.templates.findById(schedule.templateId);
  if (template && isIncremental(template.configuration))
    throw errors.validation([
      { field: 'schedule_id', problem: 'runs its template with since_last_run, which continues from the last successful run; backfill needs period-relative or fixed ranges' },
    ]);
  const range = rangeIn(schedule.timezone, input.start, input.end);
  const problems: ErrorDetail[] = [];
  if (range.from.getTime() > now.getTime()) problems.push({ field: 'start', problem: 'is in the future; a backfill runs periods that have passed' });
  if (problems.length > 0) throw errors.validation(problems);
  const until = new Date(Math.min(range.to.getTime(), now.getTime() + 1));
  const periods = firingsBetween(recurrenceOf(schedule), schedule.timezone, range.from, until, MAX_BACKFILL_PERIODS);
  if (periods.length > MAX_BACKFILL_PERIODS)
    throw errors.validation([
      {
        field: 'end',
        problem: `the range holds more than ${MAX_BACKFILL_PERIODS.toLocaleString('en-US')} periods of this schedule; backfill at most ${MAX_BACKFILL_PERIODS.toLocaleString('en-US')} at a time`,
      },
    ]);
  if (periods.length === 0) throw errors.validation([{ field: 'end', problem: 'the range holds no period of this schedule' }]);
  const created = await deps.runs.recordMany(
    periods.map((periodAt) => ({ id: newRunId(), scheduleId: schedule.id, periodKey: periodAt.toISOString(), periodAt, trigger: 'backfill' as const, exportJobId: newJobId() })),
  );
  await queueRunStarts(
    deps.queues,
    created.map((run) => run.id),
  );
  return { periods, created, alreadyRun: periods.length - created.length };
}

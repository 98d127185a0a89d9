import type { DeliveryMethod, ScheduleFrequency, ScheduleTiming } from '@export-service/contracts';
import type { ExportScheduleEntity, ScheduleSettings } from '@export-service/db';
import { errors, type ErrorDetail } from '@export-service/errors';
import { isTimeZone, nextRunAfter, type Recurrence } from '@export-service/periods';
import { recurrenceFor } from './frequencies';

/** A schedule as a client writes it (POST /export/scheduled, a template's `schedule` block, a PATCH merged over the stored one). */
export interface ScheduleInput {
  name: string;
  templateId: string;
  frequency: ScheduleFrequency;
  schedule: ScheduleTiming;
  retention?: { keep_exports_days?: number; auto_cleanup?: boolean };
  delivery?: { method?: DeliveryMethod; auto_delete_after_days?: number };
}

/** Where the checks apply: field paths of the body, and whether test-only frequencies are allowed. */
export interface ScheduleCheckContext {
  /** Path of the timing block in the body (`schedule`), for error details. */
  timingPath: string;
  /** Path of `frequency` in the body. */
  frequencyPath: string;
  /** False in production: `every_seconds` is for tests and benchmarks. */
  allowsEverySeconds: boolean;
}

/**
 * Checks a schedule's timing, zone, retention and delivery against each other and turns them into
 * the stored settings and their recurrence; throws 422 naming every problem.
 */
export function checkSchedule(input: ScheduleInput, context: ScheduleCheckContext): { settings: ScheduleSettings; recurrence: Recurrence } {
  const problems: ErrorDetail[] = [];
  if (input.frequency === 'every_seconds' && !context.allowsEverySeconds)
    problems.push({ field: context.frequencyPath, problem: '"every_seconds" is for tests and benchmarks only and is refused in production (NODE_ENV=production)' });
  const timezone = input.schedule.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) problems.push({ field: `${context.timingPath}.timezone`, problem: `"${timezone}" is not an IANA time zone (for example Europe/Berlin or UTC)` });
  const recurrence = recurrenceFor(input.frequency, input.schedule, context.timingPath, problems);
  if (input.retention?.auto_cleanup && input.retention.keep_exports_days === undefined)
    problems.push({ field: 'retention.keep_exports_days', problem: 'is required when retention.auto_cleanup is true' });
  if (problems.length > 0 || !recurrence) throw errors.validation(problems);
  const { timezone: _zone, ...timing } = input.schedule;
  return {
    recurrence,
    settings: {
      name: input.name,
      templateId: input.templateId,
      frequency: input.frequency,
      timing,
      timezone,
      keepExportsDays: input.retention?.keep_exports_days ?? null,
      autoCleanup: input.retention?.auto_cleanup ?? false,
      deliveryMethod: input.delivery?.method ?? 'download',
      autoDeleteAfterDays: input.delivery?.auto_delete_after_days ?? null,
    },
  };
}

/** The recurrence of a stored schedule (it was checked when saved). */
export function recurrenceOf(schedule: Pick<ExportScheduleEntity, 'frequency' | 'timing'>): Recurrence {
  const problems: ErrorDetail[] = [];
  const recurrence = recurrenceFor(schedule.frequency, schedule.timing, 'schedule', problems);
  if (!recurrence) throw new Error(`stored schedule timing no longer parses: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
  return recurrence;
}

/** The first period a schedule fires for after `after`. */
export function nextPeriodAfter(schedule: Pick<ExportScheduleEntity, 'frequency' | 'timing' | 'timezone'>, after: Date): Date {
  return nextRunAfter(recurrenceOf(schedule), schedule.timezone, after);
}

/** The stored schedule as the input a PATCH is merged over. */
export function inputOf(schedule: ExportScheduleEntity): ScheduleInput {
  return {
    name: schedule.name,
    templateId: schedule.templateId,
    frequency: schedule.frequency,
    schedule: { ...schedule.timing, timezone: schedule.timezone },
    retention: { ...(schedule.keepExportsDays === null ? {} : { keep_exports_days: schedule.keepExportsDays }), auto_cleanup: schedule.autoCleanup },
    delivery: { method: schedule.deliveryMethod, ...(schedule.autoDeleteAfterDays === null ? {} : { auto_delete_after_days: schedule.autoDeleteAfterDays }) },
  };
}

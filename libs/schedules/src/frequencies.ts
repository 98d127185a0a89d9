import { DAYS_OF_WEEK, type ScheduleFrequency, type ScheduleTiming } from '@export-service/contracts';
import type { ErrorDetail } from '@export-service/errors';
import { addDays, isoWeekday, parseCron, parseTimeOfDay, toLocal, type Recurrence } from '@export-service/periods';

/** The timing fields a frequency may use (the zone is common to all). */
type TimingField = Exclude<keyof ScheduleTiming, 'timezone'>;

/** One kind of schedule: which timing fields it reads, its recurrence, and how its periods are named. */
interface FrequencyKind {
  fields: readonly TimingField[];
  /** The recurrence the timing describes; pushes a problem (and returns null) when it describes none. */
  recurrence(timing: ScheduleTiming, path: string, problems: ErrorDetail[]): Recurrence | null;
  /** A period's name in the schedule's zone, as export names carry it (`2024-01-15`, `2024-W03`, `2024-01`). */
  label(period: Date, timeZone: string): string;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const day = (period: Date, timeZone: string) => {
  const local = toLocal(period, timeZone);
  return `${local.year}-${pad(local.month)}-${pad(local.day)}`;
};
const minuteLabel = (period: Date, timeZone: string) => {
  const local = toLocal(period, timeZone);
  return `${day(period, timeZone)} ${pad(local.hour)}:${pad(local.minute)}`;
};

/** `HH:MM` (00:00 by default), or a problem. */
function timeOf(timing: ScheduleTiming, path: string, problems: ErrorDetail[]): string | null {
  const time = timing.time ?? '00:00';
  if (parseTimeOfDay(time)) return time;
  problems.push({ field: `${path}.time`, problem: 'must be a time of day HH:MM, from 00:00 to 23:59' });
  return null;
}

/** ISO week of a calendar date: `2024-W03`. */
function isoWeekLabel(period: Date, timeZone: string): string {
  const local = toLocal(period, timeZone);
  // The ISO year is the year of the week's Thursday.
  const thursday = addDays(local, 4 - isoWeekday(local));
  const week = Math.floor((Date.UTC(thursday.year, thursday.month - 1, thursday.day) - Date.UTC(thursday.year, 0, 1)) / 86_400_000 / 7) + 1;
  return `${thursday.year}-W${pad(week)}`;
}

/** Every frequency, checked by the compiler: a new one needs its kind here. */
export const FREQUENCIES = {
  hourly: {
    fields: ['minute'],
    recurrence: (timing) => ({ frequency: 'hourly', minute: timing.minute ?? 0 }),
    label: (period, timeZone) => `${day(period, timeZone)} ${pad(toLocal(period, timeZone).hour)}:00`,
  },
  daily: {
    fields: ['time'],
    recurrence: (timing, path, problems) => {
      const time = timeOf(timing, path, problems);
      return time ? { frequency: 'daily', time } : null;
    },
    label: day,
  },
  weekly: {
    fields: ['time', 'day_of_week'],
    recurrence: (timing, path, problems) => {
      const time = timeOf(timing, path, problems);
      if (timing.day_of_week === undefined) problems.push({ field: `${path}.day_of_week`, problem: `is required with frequency "weekly" (${DAYS_OF_WEEK.join(', ')})` });
      return time && timing.day_of_week ? { frequency: 'weekly', time, dayOfWeek: DAYS_OF_WEEK.indexOf(timing.day_of_week) + 1 } : null;
    },
    label: isoWeekLabel,
  },
  monthly: {
    fields: ['time', 'day_of_month'],
    recurrence: (timing, path, problems) => {
      const time = timeOf(timing, path, problems);
      if (timing.day_of_month === undefined)
        problems.push({ field: `${path}.day_of_month`, problem: 'is required with frequency "monthly" (1-31; 31 means the last day of shorter months)' });
      return time && timing.day_of_month ? { frequency: 'monthly', time, dayOfMonth: timing.day_of_month } : null;
    },
    label: (period, timeZone) => day(period, timeZone).slice(0, 7),
  },
  cron: {
    fields: ['cron'],
    recurrence: (timing, path, problems) => {
      if (timing.cron === undefined) {
        problems.push({ field: `${path}.cron`, problem: 'is required with frequency "cron" (five fields: minute hour day-of-month month day-of-week)' });
        return null;
      }
      try {
        return { frequency: 'cron', cron: parseCron(timing.cron) };
      } catch (error) {
        problems.push({ field: `${path}.cron`, problem: `is not a valid cron expression: ${(error as Error).message}` });
        return null;
      }
    },
    label: minuteLabel,
  },
  every_seconds: {
    fields: ['every_seconds'],
    recurrence: (timing, path, problems) => {
      if (timing.every_seconds === undefined) problems.push({ field: `${path}.every_seconds`, problem: 'is required with frequency "every_seconds"' });
      return timing.every_seconds ? { frequency: 'every_seconds', everySeconds: timing.every_seconds } : null;
    },
    label: (period, timeZone) => `${minuteLabel(period, timeZone)}:${pad(toLocal(period, timeZone).second)}`,
  },
} satisfies Record<ScheduleFrequency, FrequencyKind>;

/** The name of the period that fires at `period`, in the schedule's zone. */
export function periodLabel(frequency: ScheduleFrequency, period: Date, timeZone: string): string {
  return (FREQUENCIES[frequency] as FrequencyKind).label(period, timeZone);
}

/** The recurrence of a frequency and its timing, with a problem for every timing field it does not use. */
export function recurrenceFor(frequency: ScheduleFrequency, timing: ScheduleTiming, path: string, problems: ErrorDetail[]): Recurrence | null {
  const kind = FREQUENCIES[frequency] as FrequencyKind;
  for (const field of Object.keys(timing) as Array<keyof ScheduleTiming>) {
    if (field === 'timezone' || timing[field] === undefined || kind.fields.includes(field)) continue;
    const users = (Object.keys(FREQUENCIES) as ScheduleFrequency[]).filter((name) => (FREQUENCIES[name] as FrequencyKind).fields.includes(field));
    problems.push({ field: `${path}.${field}`, problem: `is not used with frequency "${frequency}" (only with ${users.map((name) => `"${name}"`).join(', ')})` });
  }
  return kind.recurrence(timing, path, problems);
}

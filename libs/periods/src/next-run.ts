import { nextCronRunAfter, type CronSchedule } from './cron';
import { addDays, daysInMonth, fromLocal, isoWeekday, toLocal } from './zoned-time';

/** When a schedule fires, in its own time zone. `time` is `HH:MM`; `everySeconds` counts from the Unix epoch (zone-free, tests only). */
export type Recurrence =
  | { frequency: 'hourly'; minute: number }
  | { frequency: 'daily'; time: string }
  | { frequency: 'weekly'; time: string; dayOfWeek: number }
  | { frequency: 'monthly'; time: string; dayOfMonth: number }
  | { frequency: 'cron'; cron: CronSchedule }
  | { frequency: 'every_seconds'; everySeconds: number };

type CalendarRecurrence = Extract<Recurrence, { time: string }>;

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM` as hours and minutes, or null when it is not a time of day (`25:00`, `7:5`). */
export function parseTimeOfDay(time: string): { hour: number; minute: number } | null {
  const match = TIME.exec(time);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : null;
}

/**
 * The first firing strictly after `after`. Wall-clock times are kept across DST: a time skipped by a
 * spring-forward runs once at the end of the gap, a time repeated by a fall-back runs once (its first
 * occurrence). `dayOfMonth` 31 (or 29, 30) means the month's last day in shorter months.
 */
export function nextRunAfter(recurrence: Recurrence, timeZone: string, after: Date): Date {
  if (recurrence.frequency === 'cron') return nextCronRunAfter(recurrence.cron, timeZone, after);
  if (recurrence.frequency === 'every_seconds') {
    const every = recurrence.everySeconds * 1000;
    return new Date((Math.floor(after.getTime() / every) + 1) * every);
  }
  if (recurrence.frequency === 'hourly') {
    // Once per wall-clock hour, at its minute: an hour the clock skips fires at the end of the gap
    // (once), an hour it repeats fires once (its first occurrence).
    const local = toLocal(after, timeZone);
    const start = { year: local.year, month: local.month, day: local.day };
    for (let hours = local.hour; hours < local.hour + 72; hours += 1) {
      const date = addDays(start, Math.floor(hours / 24));
      const candidate = fromLocal({ ...date, hour: hours % 24, minute: recurrence.minute }, timeZone);
      if (candidate.getTime() > after.getTime()) return candidate;
    }
    throw new Error('no hourly firing found within 72 hours');
  }
  const clock = parseTimeOfDay(recurrence.time);
  if (!clock) throw new RangeError(`time "${recurrence.time}" is not HH:MM`);
  const local = toLocal(after, timeZone);
  let date = { year: local.year, month: local.month, day: local.day };
  // At most a little over a month of days to look at for any recurrence.
  for (let step = 0; step < 400; step += 1, date = addDays(date, 1)) {
    if (!isFiringDay(recurrence, date)) continue;
    const instant = fromLocal({ ...date, ...clock }, timeZone);
    if (instant.getTime() > after.getTime()) return instant;
  }
  throw new Error('no firing found within 400 days');
}

function isFiringDay(recurrence: CalendarRecurrence, date: { year: number; month: number; day: number }): boolean {
  switch (recurrence.frequency) {
    case 'daily':
      return true;
    case 'weekly':
      return isoWeekday(date) === recurrence.dayOfWeek;
    case 'monthly':
      return date.day === Math.min(recurrence.dayOfMonth, daysInMonth(date.year, date.month));
  }
}

/** True when `at` is one of the recurrence's firings (so a firing for it belongs to this schedule as it is now). */
export function isFiring(recurrence: Recurrence, timeZone: string, at: Date): boolean {
  return nextRunAfter(recurrence, timeZone, new Date(at.getTime() - 1)).getTime() === at.getTime();
}

/**
 * The firings from `from` (inclusive) to `to` (exclusive), oldest first, at most `limit + 1` of them,
 * so a caller can tell "more than `limit`" without walking a long range to its end.
 */
export function firingsBetween(recurrence: Recurrence, timeZone: string, from: Date, to: Date, limit: number): Date[] {
  const found: Date[] = [];
  let cursor = nextRunAfter(recurrence, timeZone, new Date(from.getTime() - 1));
  while (cursor.getTime() < to.getTime() && found.length <= limit) {
    found.push(cursor);
    cursor = nextRunAfter(recurrence, timeZone, cursor);
  }
  return found;
}

import { addDays, daysInMonth, fromLocal, isoWeekday, toLocal } from './zoned-time';

/** When a schedule fires, in its own time zone. `time` is `HH:MM`. */
export type Recurrence =
  | { frequency: 'hourly'; minute: number }
  | { frequency: 'daily'; time: string }
  | { frequency: 'weekly'; time: string; dayOfWeek: number }
  | { frequency: 'monthly'; time: string; dayOfMonth: number };

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
  if (recurrence.frequency === 'hourly') {
    // Hours pass in real time; the minute is read on the wall clock (whole-hour zones keep it exact).
    const local = toLocal(after, timeZone);
    let candidate = fromLocal({ ...local, minute: recurrence.minute }, timeZone);
    while (candidate.getTime() <= after.getTime()) candidate = new Date(candidate.getTime() + 3_600_000);
    return candidate;
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

function isFiringDay(recurrence: Exclude<Recurrence, { frequency: 'hourly' }>, date: { year: number; month: number; day: number }): boolean {
  switch (recurrence.frequency) {
    case 'daily':
      return true;
    case 'weekly':
      return isoWeekday(date) === recurrence.dayOfWeek;
    case 'monthly':
      return date.day === Math.min(recurrence.dayOfMonth, daysInMonth(date.year, date.month));
  }
}

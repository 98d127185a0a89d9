import type { RelativePeriod } from '@export-service/contracts';
import { addDays, fromLocal, isoWeekday, toLocal } from './zoned-time';

export { RELATIVE_PERIODS, type RelativePeriod } from '@export-service/contracts';

/** Most days `last_n_days` may span (ten years). */
export const MAX_RELATIVE_DAYS = 3_660;

/** A half-open range of instants: `from` inclusive, `to` exclusive. */
export interface InstantSpan {
  from: Date;
  to: Date;
}

type CalendarDate = { year: number; month: number; day: number };

/**
 * The instants a relative period covers at `now`, cut at midnights of `timeZone`, so a day is 23 or
 * 25 hours long across a DST change and a month ends where the zone's month ends:
 * - `previous_day`: yesterday; `previous_week`: the ISO week (Monday to Sunday) before this one;
 *   `previous_month`: the calendar month before this one;
 * - `last_n_days`: the `days` whole days before today (today excluded, so `last_n_days: 1` is yesterday);
 * - `month_to_date`: from the first of this month up to `now`.
 */
export function resolveRelativePeriod(period: RelativePeriod, now: Date, timeZone: string, days = 1): InstantSpan {
  const local = toLocal(now, timeZone);
  const today: CalendarDate = { year: local.year, month: local.month, day: local.day };
  const midnight = (date: CalendarDate) => fromLocal({ ...date, hour: 0, minute: 0 }, timeZone);
  switch (period) {
    case 'previous_day':
      return { from: midnight(addDays(today, -1)), to: midnight(today) };
    case 'previous_week': {
      const monday = addDays(today, 1 - isoWeekday(today));
      return { from: midnight(addDays(monday, -7)), to: midnight(monday) };
    }
    case 'previous_month': {
      const first = { year: today.year, month: today.month, day: 1 };
      const previous = today.month === 1 ? { year: today.year - 1, month: 12, day: 1 } : { year: today.year, month: today.month - 1, day: 1 };
      return { from: midnight(previous), to: midnight(first) };
    }
    case 'last_n_days': {
      if (!Number.isInteger(days) || days < 1 || days > MAX_RELATIVE_DAYS) throw new RangeError(`last_n_days takes 1 to ${MAX_RELATIVE_DAYS} days`);
      return { from: midnight(addDays(today, -days)), to: midnight(today) };
    }
    case 'month_to_date':
      return { from: midnight({ year: today.year, month: today.month, day: 1 }), to: now };
  }
}

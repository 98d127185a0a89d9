import { addDays, daysInMonth, fromLocal, isoWeekday, toLocal } from './zoned-time';

/** A parsed five-field cron expression: the values each field allows. */
export interface CronSchedule {
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is read as Sunday). */
  daysOfWeek: ReadonlySet<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either one fires. */
  isDayOfMonthRestricted: boolean;
  isDayOfWeekRestricted: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Where the first name counts from (months are 1-based). */
  nameBase?: number;
}

const FIELDS: FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, nameBase: 0 },
];

function valueOf(token: string, rule: FieldRule): number {
  const named = rule.names?.indexOf(token.toLowerCase()) ?? -1;
  if (named >= 0) return named + (rule.nameBase ?? 0);
  if (!/^\d{1,2}$/.test(token)) throw new RangeError(`${rule.name} "${token}" is not a number${rule.names ? ' or a name' : ''}`);
  const value = Number(token);
  if (value < rule.min || value > rule.max) throw new RangeError(`${rule.name} ${value} is outside ${rule.min}-${rule.max}`);
  return value;
}

/** One field (`*`, `5`, `1-5`, `*\/15`, `1-31/2`, `mon-fri`, lists of these) as the set of values it allows. */
function parseField(text: string, rule: FieldRule): number[] {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new RangeError(`${rule.name} "${part}" is not a cron field`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (stepText !== undefined && (!/^\d{1,2}$/.test(stepText) || step < 1)) throw new RangeError(`${rule.name} step "${stepText}" must be a whole number of at least 1`);
    let low: number;
    let high: number;
    if (range === '*') [low, high] = [rule.min, rule.max];
    else if (range.includes('-')) {
      const [from, to, more] = range.split('-');
      if (from === undefined || to === undefined || more !== undefined) throw new RangeError(`${rule.name} "${range}" is not a range`);
      [low, high] = [valueOf(from, rule), valueOf(to, rule)];
      if (low > high) throw new RangeError(`${rule.name} range "${range}" runs backwards`);
    } else {
      low = valueOf(range, rule);
      high = stepText === undefined ? low : rule.max;
    }
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** Parses `minute hour day-of-month month day-of-week`; throws RangeError naming the bad field. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new RangeError(`has ${parts.length} fields; give five: minute hour day-of-month month day-of-week`);
  const [minutes, hours, days, months, weekdays] = parts.map((part, index) => parseField(part, FIELDS[index] as FieldRule)) as [number[], number[], number[], number[], number[]];
  const daysOfWeek = new Set(weekdays.map((day) => day % 7));
  const daysOfMonth = new Set(days);
  const monthSet = new Set(months);
  // A day that exists in no allowed month (`0 0 30 2 *`) would never fire.
  if (parts[2] !== '*' && !months.some((month) => days.some((day) => day <= daysInMonth(2024, month)))) throw new RangeError('day of month never falls in the allowed months');
  return {
    minutes,
    hours,
    daysOfMonth,
    months: monthSet,
    daysOfWeek,
    isDayOfMonthRestricted: parts[2] !== '*',
    isDayOfWeekRestricted: parts[4] !== '*',
  };
}

function isCronDay(cron: CronSchedule, date: { year: number; month: number; day: number }): boolean {
  if (!cron.months.has(date.month)) return false;
  const byMonthDay = cron.daysOfMonth.has(date.day);
  const byWeekday = cron.daysOfWeek.has(isoWeekday(date) % 7);
  if (cron.isDayOfMonthRestricted && cron.isDayOfWeekRestricted) return byMonthDay || byWeekday;
  if (cron.isDayOfMonthRestricted) return byMonthDay;
  if (cron.isDayOfWeekRestricted) return byWeekday;
  return true;
}

/** Days searched for the next cron firing: past eight years, so Feb 29 on a Monday is found too. */
const CRON_SEARCH_DAYS = 8 * 366 + 7;

/**
 * The first cron firing strictly after `after`, on the zone's wall clock with the same DST rules as
 * every other schedule: times a spring-forward skips run once at the end of the gap (several skipped
 * times collapse into that one run), times a fall-back repeats run once (their first occurrence).
 */
export function nextCronRunAfter(cron: CronSchedule, timeZone: string, after: Date): Date {
  const local = toLocal(after, timeZone);
  let date = { year: local.year, month: local.month, day: local.day };
  // Start a day early: the end of a gap on `after`'s local day may belong to a time of the day before.
  date = addDays(date, -1);
  for (let step = 0; step < CRON_SEARCH_DAYS; step += 1, date = addDays(date, 1)) {
    if (!isCronDay(cron, date)) continue;
    for (const hour of cron.hours) {
      for (const minute of cron.minutes) {
        const instant = fromLocal({ ...date, hour, minute }, timeZone);
        if (instant.getTime() > after.getTime()) return instant;
      }
    }
  }
  throw new Error('no cron firing found within eight years');
}

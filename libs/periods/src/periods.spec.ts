import { fromLocal, isTimeZone, offsetAt, toLocal } from './zoned-time';
import { nextRunAfter, parseTimeOfDay } from './next-run';
import { resolveRelativePeriod } from './relative-period';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('fromLocal: wall-clock times across DST', () => {
  it('is exact on ordinary days in every zone', () => {
    expect(iso(fromLocal({ year: 2024, month: 7, day: 1, hour: 9, minute: 15 }, 'Europe/Berlin'))).toBe('2024-07-01T07:15:00.000Z');
    expect(iso(fromLocal({ year: 2024, month: 1, day: 1, hour: 9, minute: 15 }, 'America/New_York'))).toBe('2024-01-01T14:15:00.000Z');
    expect(iso(fromLocal({ year: 2024, month: 1, day: 1, hour: 0, minute: 0 }, 'UTC'))).toBe('2024-01-01T00:00:00.000Z');
  });

  it('moves a time inside a spring-forward gap to the end of the gap', () => {
    // Berlin 2024-03-31: 02:00 CET → 03:00 CEST.
    expect(iso(fromLocal({ year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2024-03-31T01:00:00.000Z');
    // New York 2024-03-10: 02:00 EST → 03:00 EDT.
    expect(iso(fromLocal({ year: 2024, month: 3, day: 10, hour: 2, minute: 30 }, 'America/New_York'))).toBe('2024-03-10T07:00:00.000Z');
    // Lord Howe 2024-10-06: 02:00 +10:30 → 02:30 +11:00 (a half-hour shift).
    const lordHowe = fromLocal({ year: 2024, month: 10, day: 6, hour: 2, minute: 15 }, 'Australia/Lord_Howe');
    expect(iso(lordHowe)).toBe('2024-10-05T15:30:00.000Z');
    expect(toLocal(lordHowe, 'Australia/Lord_Howe')).toMatchObject({ hour: 2, minute: 30 });
  });

  it('takes the first of the two occurrences of a fall-back time', () => {
    // Berlin 2024-10-27: 03:00 CEST → 02:00 CET, so 02:30 happens at 00:30Z and 01:30Z.
    expect(iso(fromLocal({ year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2024-10-27T00:30:00.000Z');
    expect(iso(fromLocal({ year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, 'America/New_York'))).toBe('2024-11-03T05:30:00.000Z');
    // Lord Howe 2024-04-07: 02:00 +11:00 → 01:30 +10:30, so 01:45 happens twice.
    expect(iso(fromLocal({ year: 2024, month: 4, day: 7, hour: 1, minute: 45 }, 'Australia/Lord_Howe'))).toBe('2024-04-06T14:45:00.000Z');
  });

  it('knows offsets and zone names', () => {
    expect(offsetAt(Date.parse('2024-01-15T00:00:00Z'), 'Australia/Lord_Howe')).toBe(11 * 3_600_000);
    expect(offsetAt(Date.parse('2024-07-01T00:00:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * 3_600_000);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('resolveRelativePeriod: cut at the zone midnights', () => {
  it('gives a 23-hour and a 25-hour previous_day across DST', () => {
    const spring = resolveRelativePeriod('previous_day', at('2024-04-01T10:00:00Z'), 'Europe/Berlin');
    expect([iso(spring.from), iso(spring.to)]).toEqual(['2024-03-30T23:00:00.000Z', '2024-03-31T22:00:00.000Z']);
    expect(spring.to.getTime() - spring.from.getTime()).toBe(23 * 3_600_000);
    const autumn = resolveRelativePeriod('previous_day', at('2024-11-04T12:00:00Z'), 'America/New_York');
    expect(autumn.to.getTime() - autumn.from.getTime()).toBe(25 * 3_600_000);
  });

  it('reads "today" in the zone, not in UTC', () => {
    // 23:30 UTC on Jan 31 is already Feb 1 in Berlin, so there the previous month is January.
    const berlin = resolveRelativePeriod('previous_month', at('2024-01-31T23:30:00Z'), 'Europe/Berlin');
    expect([iso(berlin.from), iso(berlin.to)]).toEqual(['2023-12-31T23:00:00.000Z', '2024-01-31T23:00:00.000Z']);
    const utc = resolveRelativePeriod('previous_month', at('2024-01-31T23:30:00Z'), 'UTC');
    expect([iso(utc.from), iso(utc.to)]).toEqual(['2023-12-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z']);
  });

  it('covers ISO weeks, leap-year months, last N days and month to date', () => {
    const week = resolveRelativePeriod('previous_week', at('2024-03-06T12:00:00Z'), 'UTC');
    expect([iso(week.from), iso(week.to)]).toEqual(['2024-02-26T00:00:00.000Z', '2024-03-04T00:00:00.000Z']);
    const february = resolveRelativePeriod('previous_month', at('2024-03-15T12:00:00Z'), 'UTC');
    expect(february.to.getTime() - february.from.getTime()).toBe(29 * 86_400_000);
    const week7 = resolveRelativePeriod('last_n_days', at('2024-03-15T12:00:00Z'), 'UTC', 7);
    expect([iso(week7.from), iso(week7.to)]).toEqual(['2024-03-08T00:00:00.000Z', '2024-03-15T00:00:00.000Z']);
    const now = at('2024-03-15T12:34:56Z');
    const monthToDate = resolveRelativePeriod('month_to_date', now, 'America/New_York');
    expect([iso(monthToDate.from), iso(monthToDate.to)]).toEqual(['2024-03-01T05:00:00.000Z', iso(now)]);
    expect(() => resolveRelativePeriod('last_n_days', now, 'UTC', 0)).toThrow(RangeError);
  });
});

describe('nextRunAfter: once per period, DST included', () => {
  it('runs a 02:30 daily schedule once on a spring-forward day, at 03:00 local', () => {
    const fired: string[] = [];
    let cursor = at('2024-03-29T12:00:00Z');
    for (let run = 0; run < 4; run += 1) {
      cursor = nextRunAfter({ frequency: 'daily', time: '02:30' }, 'Europe/Berlin', cursor);
      fired.push(iso(cursor));
    }
    expect(fired).toEqual(['2024-03-30T01:30:00.000Z', '2024-03-31T01:00:00.000Z', '2024-04-01T00:30:00.000Z', '2024-04-02T00:30:00.000Z']);
  });

  it('runs once, not twice, on a fall-back day', () => {
    const fired: string[] = [];
    let cursor = at('2024-11-02T12:00:00Z');
    for (let run = 0; run < 3; run += 1) {
      cursor = nextRunAfter({ frequency: 'daily', time: '01:30' }, 'America/New_York', cursor);
      fired.push(iso(cursor));
    }
    expect(fired).toEqual(['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z', '2024-11-05T06:30:00.000Z']);
  });

  it('keeps weekly days and month ends (31 is the last day of shorter months)', () => {
    expect(iso(nextRunAfter({ frequency: 'weekly', time: '08:00', dayOfWeek: 1 }, 'UTC', at('2024-03-06T00:00:00Z')))).toBe('2024-03-11T08:00:00.000Z');
    const months: string[] = [];
    let cursor = at('2024-01-15T00:00:00Z');
    for (let run = 0; run < 4; run += 1) {
      cursor = nextRunAfter({ frequency: 'monthly', time: '06:00', dayOfMonth: 31 }, 'UTC', cursor);
      months.push(iso(cursor).slice(0, 10));
    }
    expect(months).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']);
  });

  it('fires hourly at its minute on the wall clock, once per local hour, through a Lord Howe half-hour change', () => {
    let cursor = at('2024-10-05T13:30:00Z'); // 00:00 local
    const fired: Array<{ hour: number; minute: number }> = [];
    for (let run = 0; run < 6; run += 1) {
      cursor = nextRunAfter({ frequency: 'hourly', minute: 45 }, 'Australia/Lord_Howe', cursor);
      const local = toLocal(cursor, 'Australia/Lord_Howe');
      fired.push({ hour: local.hour, minute: local.minute });
    }
    // 02:00 +10:30 becomes 02:30 +11:00: every local hour still fires once, at :45.
    expect(fired).toEqual([0, 1, 2, 3, 4, 5].map((hour) => ({ hour, minute: 45 })));
  });

  it('finds the end of a gap that is not a whole number of minutes (Monrovia, 1972)', () => {
    // Liberia moved from -0:44:30 to UTC on 1972-01-07: 00:00 to 00:44:30 never happened.
    const end = fromLocal({ year: 1972, month: 1, day: 7, hour: 0, minute: 20 }, 'Africa/Monrovia');
    expect(iso(end)).toBe('1972-01-07T00:44:30.000Z');
  });

  it('refuses a time that is not a time of day', () => {
    expect(parseTimeOfDay('25:00')).toBeNull();
    expect(parseTimeOfDay('7:05')).toBeNull();
    expect(parseTimeOfDay('23:59')).toEqual({ hour: 23, minute: 59 });
    expect(() => nextRunAfter({ frequency: 'daily', time: '24:00' }, 'UTC', new Date())).toThrow(RangeError);
  });
});

import { parseCron } from './cron';
import { firingsBetween, isFiring, nextRunAfter, type Recurrence } from './next-run';
import { toLocal } from './zoned-time';

const at = (iso: string) => new Date(iso);
const isoList = (dates: Date[]) => dates.map((date) => date.toISOString());
const cron = (expression: string): Recurrence => ({ frequency: 'cron', cron: parseCron(expression) });

/** The first `count` firings after `from`, each found from the one before: what a schedule's chain of firings does. */
function chain(recurrence: Recurrence, timeZone: string, from: string, count: number): string[] {
  const fired: Date[] = [];
  let cursor = at(from);
  for (let index = 0; index < count; index += 1) fired.push((cursor = nextRunAfter(recurrence, timeZone, cursor)));
  return isoList(fired);
}

describe('cron on the wall clock, across DST', () => {
  it('runs a 02:30 job once on the Berlin spring-forward day, at 03:00 local, and collapses every skipped time into that one run', () => {
    expect(chain(cron('30 2 * * *'), 'Europe/Berlin', '2024-03-29T12:00:00Z', 3)).toEqual(['2024-03-30T01:30:00.000Z', '2024-03-31T01:00:00.000Z', '2024-04-01T00:30:00.000Z']);
    // 02:00, 02:15, 02:30 and 02:45 never happen on 2024-03-31: one run at 03:00 CEST, then the next day's four.
    const firings = firingsBetween(cron('*/15 2 * * *'), 'Europe/Berlin', at('2024-03-30T23:00:00Z'), at('2024-04-01T01:00:00Z'), 100);
    expect(isoList(firings)).toEqual(['2024-03-31T01:00:00.000Z', '2024-04-01T00:00:00.000Z', '2024-04-01T00:15:00.000Z', '2024-04-01T00:30:00.000Z', '2024-04-01T00:45:00.000Z']);
  });

  it('runs a repeated fall-back time once (New York, Berlin)', () => {
    expect(chain(cron('30 1 * * *'), 'America/New_York', '2024-11-02T12:00:00Z', 3)).toEqual(['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z', '2024-11-05T06:30:00.000Z']);
    // Berlin 2024-10-27 repeats 02:00-03:00: an hourly cron fires at 02:00 once (its first occurrence), then 03:00.
    const night = firingsBetween(cron('0 * * * *'), 'Europe/Berlin', at('2024-10-26T23:00:00Z'), at('2024-10-27T03:00:00Z'), 100);
    expect(night.map((date) => toLocal(date, 'Europe/Berlin').hour)).toEqual([1, 2, 3]);
    expect(isoList(night)).toEqual(['2024-10-26T23:00:00.000Z', '2024-10-27T00:00:00.000Z', '2024-10-27T02:00:00.000Z']);
  });

  it("keeps Lord Howe's half-hour changes: the gap end is 02:30 and the repeated half hour fires once", () => {
    // 2024-10-06: 02:00 +10:30 → 02:30 +11:00.
    expect(chain(cron('15 2 * * *'), 'Australia/Lord_Howe', '2024-10-04T00:00:00Z', 3)).toEqual([
      '2024-10-04T15:45:00.000Z',
      '2024-10-05T15:30:00.000Z',
      '2024-10-06T15:15:00.000Z',
    ]);
    // 2024-04-07: 02:00 +11:00 → 01:30 +10:30, so 01:45 happens twice; it fires at the first.
    expect(chain(cron('45 1 * * *'), 'Australia/Lord_Howe', '2024-04-06T00:00:00Z', 2)).toEqual(['2024-04-06T14:45:00.000Z', '2024-04-07T15:15:00.000Z']);
  });

  it("follows cron's day rules: either day field when both are set, names, ranges, steps, Feb 29", () => {
    // The 13th or any Friday.
    expect(chain(cron('0 9 13 * fri'), 'UTC', '2024-09-01T00:00:00Z', 4)).toEqual([
      '2024-09-06T09:00:00.000Z',
      '2024-09-13T09:00:00.000Z',
      '2024-09-20T09:00:00.000Z',
      '2024-09-27T09:00:00.000Z',
    ]);
    // 08, 11, 14 and 17 o'clock on weekdays: Friday 17:00, then Monday.
    expect(chain(cron('0 8-17/3 * * mon-fri'), 'UTC', '2024-03-08T15:00:00Z', 3)).toEqual(['2024-03-08T17:00:00.000Z', '2024-03-11T08:00:00.000Z', '2024-03-11T11:00:00.000Z']);
    expect(chain(cron('0 0 29 2 *'), 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
    expect(chain(cron('0 12 * * 7'), 'UTC', '2024-03-06T00:00:00Z', 1)).toEqual(['2024-03-10T12:00:00.000Z']);
  });

  it('refuses expressions that are not cron, naming the field', () => {
    expect(() => parseCron('61 * * * *')).toThrow('minute 61 is outside 0-59');
    expect(() => parseCron('* * *')).toThrow('has 3 fields');
    expect(() => parseCron('0 0 30 2 *')).toThrow('never falls');
    expect(() => parseCron('5-1 * * * *')).toThrow('runs backwards');
    expect(() => parseCron('*/0 * * * *')).toThrow('step');
    expect(() => parseCron('0 0 * foo *')).toThrow('month "foo"');
    expect(() => parseCron('0 25 * * *')).toThrow('hour 25');
  });
});

describe('calendar schedules at month ends and DST, with an injected clock', () => {
  it('runs monthly on the 31st as the last day of shorter months, keeping 08:00 Berlin time across the spring change', () => {
    expect(chain({ frequency: 'monthly', time: '08:00', dayOfMonth: 31 }, 'Europe/Berlin', '2024-01-15T00:00:00Z', 5)).toEqual([
      '2024-01-31T07:00:00.000Z',
      '2024-02-29T07:00:00.000Z',
      '2024-03-31T06:00:00.000Z',
      '2024-04-30T06:00:00.000Z',
      '2024-05-31T06:00:00.000Z',
    ]);
    expect(chain({ frequency: 'monthly', time: '00:00', dayOfMonth: 30 }, 'UTC', '2023-01-31T00:00:00Z', 2)).toEqual(['2023-02-28T00:00:00.000Z', '2023-03-30T00:00:00.000Z']);
  });

  it('runs a weekly Sunday 02:30 New York schedule at 03:00 on the spring-forward Sunday, once', () => {
    expect(chain({ frequency: 'weekly', time: '02:30', dayOfWeek: 7 }, 'America/New_York', '2024-03-01T00:00:00Z', 3)).toEqual([
      '2024-03-03T07:30:00.000Z',
      '2024-03-10T07:00:00.000Z',
      '2024-03-17T06:30:00.000Z',
    ]);
  });

  it('counts every_seconds from the epoch, so every process finds the same firings', () => {
    expect(chain({ frequency: 'every_seconds', everySeconds: 5 }, 'UTC', '2024-01-01T12:00:03.500Z', 2)).toEqual(['2024-01-01T12:00:05.000Z', '2024-01-01T12:00:10.000Z']);
    expect(firingsBetween({ frequency: 'every_seconds', everySeconds: 1 }, 'UTC', at('2024-01-01T00:00:00Z'), at('2024-01-01T01:00:00Z'), 10)).toHaveLength(11);
  });

  it('tells a firing of the schedule from any other instant', () => {
    const daily: Recurrence = { frequency: 'daily', time: '02:30' };
    expect(isFiring(daily, 'Europe/Berlin', at('2024-03-31T01:00:00Z'))).toBe(true);
    expect(isFiring(daily, 'Europe/Berlin', at('2024-03-31T00:30:00Z'))).toBe(false);
    expect(isFiring(cron('*/15 2 * * *'), 'Europe/Berlin', at('2024-03-31T01:00:00Z'))).toBe(true);
  });
});

import type { InstantRange } from '@export-service/contracts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A parsed bound, or why it cannot be one. */
type Bound = { at: Date; isDateOnly: boolean } | { problem: string };

function parseBound(value: string): Bound {
  const date = DATE.exec(value);
  if (date) {
    const at = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])));
    if (at.toISOString().slice(0, 10) !== value) return { problem: 'is not a real calendar date' };
    return { at, isDateOnly: true };
  }
  if (!INSTANT.test(value)) return { problem: 'must be a date (YYYY-MM-DD) or an ISO-8601 instant with a time zone (2024-01-01T00:00:00Z)' };
  // Date.parse rolls 2024-02-30T00:00Z over to March 1st; the calendar date must exist as written.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return { problem: 'is not a real calendar date' };
  const [hours, minutes, seconds] = value.slice(11, 19).split(':').map(Number) as [number, number, number?];
  if (hours > 23 || minutes > 59 || (seconds ?? 0) > 59) return { problem: 'is not a real time of day' };
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return { problem: 'is not a real instant' };
  return { at, isDateOnly: false };
}

/**
 * Turns `{start, end}` into a half-open UTC range. A date-only end includes that whole day, so
 * `2024-01-01 .. 2024-03-31` covers the first quarter; an instant end is exclusive.
 */
export function toInstantRange(start: string, end: string): { range: InstantRange } | { field: 'start' | 'end'; problem: string } {
  const from = parseBound(start);
  if ('problem' in from) return { field: 'start', problem: from.problem };
  const to = parseBound(end);
  if ('problem' in to) return { field: 'end', problem: to.problem };
  const exclusiveEnd = to.isDateOnly ? new Date(to.at.getTime() + 24 * 3600 * 1000) : to.at;
  if (from.at.getUTCFullYear() < 1900 || exclusiveEnd.getUTCFullYear() > 2999) return { field: 'start', problem: 'must fall between the years 1900 and 2999' };
  if (exclusiveEnd <= from.at) return { field: 'end', problem: 'must be after start' };
  return { range: { from: from.at.toISOString(), to: exclusiveEnd.toISOString() } };
}

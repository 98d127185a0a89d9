import { RELATIVE_PERIODS, type RelativePeriod } from './export-options';

/** How often a schedule fires. `every_seconds` is for tests and benchmarks only (refused in production). Values persist in PostgreSQL. */
export const SCHEDULE_FREQUENCIES = ['hourly', 'daily', 'weekly', 'monthly', 'cron', 'every_seconds'] as const;
export type ScheduleFrequency = (typeof SCHEDULE_FREQUENCIES)[number];

/** Days of the week as clients write them, Monday first (ISO weekday = index + 1). */
export const DAYS_OF_WEEK = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** What started a schedule run. Values persist in PostgreSQL. */
export const SCHEDULE_RUN_TRIGGERS = ['schedule', 'catch_up', 'manual', 'backfill'] as const;
export type ScheduleRunTrigger = (typeof SCHEDULE_RUN_TRIGGERS)[number];

/**
 * A run row's own states: `pending` until its export is created, then `started` (the export's status
 * tells the rest), or `failed` when no export could be made (the template no longer resolves).
 */
export const SCHEDULE_RUN_STATES = ['pending', 'started', 'failed'] as const;
export type ScheduleRunState = (typeof SCHEDULE_RUN_STATES)[number];

/** Most periods one backfill may ask for. */
export const MAX_BACKFILL_PERIODS = 1_000;

/** The incremental date range: from where the schedule's last successful run stopped, up to now. */
export const SINCE_LAST_RUN = 'since_last_run';

/** Every relative date range a request may name: the periods, and `since_last_run` (templates and schedules only). */
export const DATE_RANGE_RELATIVES = [...RELATIVE_PERIODS, SINCE_LAST_RUN] as const;
export type DateRangeRelative = RelativePeriod | typeof SINCE_LAST_RUN;

/** When a schedule fires, as clients write it (the fields its frequency uses). */
export interface ScheduleTiming {
  /** `HH:MM` on the schedule's wall clock (daily, weekly, monthly). */
  time?: string;
  /** Minute past each hour (hourly). */
  minute?: number;
  day_of_week?: DayOfWeek;
  /** 1-31; 29-31 mean the last day in shorter months. */
  day_of_month?: number;
  /** Five fields: minute hour day-of-month month day-of-week. */
  cron?: string;
  every_seconds?: number;
  /** IANA zone (`Europe/Berlin`); UTC by default. */
  timezone?: string;
}

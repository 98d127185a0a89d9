import { DAYS_OF_WEEK, DELIVERY_METHODS, EXPORT_STATUSES, SCHEDULE_FREQUENCIES, SCHEDULE_RUN_STATES, SCHEDULE_RUN_TRIGGERS } from '@export-service/contracts';
import { BOOLEAN, closedObject, COUNT, INSTANT, nullable, strictObject, TEXT } from '../../openapi/common.schemas';
import { ref, type ApiDocPart, type JsonSchema, type ParamDoc, type RouteDoc } from '../../openapi/route-doc';
import { EXPORT_SCHEMAS } from '../exports/export.openapi';
import { BackfillDto, CreateScheduleDto, UpdateScheduleDto } from './schedule.dto';

const SCHEDULE_ID_PARAM: ParamDoc = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The schedule id (`sch_` and 32 hex digits).',
  schema: { type: 'string', pattern: '^sch_[0-9a-f]{32}$' },
};

const DAYS = { type: 'integer', minimum: 1 };
const created = EXPORT_SCHEMAS.ExportCreated as { required: string[]; properties: Record<string, JsonSchema> };

/** Response schemas of the schedule routes (`schedule.presenter.ts` and the router's answers). */
export const SCHEDULE_SCHEMAS: Record<string, JsonSchema> = {
  Schedule: closedObject({
    id: TEXT,
    name: TEXT,
    template_id: TEXT,
    frequency: { enum: [...SCHEDULE_FREQUENCIES] },
    schedule: strictObject(['timezone'], {
      time: TEXT,
      minute: COUNT,
      day_of_week: { enum: [...DAYS_OF_WEEK] },
      day_of_month: DAYS,
      cron: TEXT,
      every_seconds: DAYS,
      timezone: { type: 'string', description: 'IANA zone the timing is read in.' },
    }),
    next_run: { ...nullable(INSTANT), description: 'The period it fires for next; null while paused.' },
    last_run: nullable(INSTANT),
    is_active: BOOLEAN,
    delivery: closedObject({ method: { enum: [...DELIVERY_METHODS] }, auto_delete_after_days: nullable(DAYS) }),
    retention: closedObject({ keep_exports_days: nullable(DAYS), auto_cleanup: BOOLEAN }),
    created_at: INSTANT,
    updated_at: INSTANT,
  }),
  ScheduleCreated: closedObject({ schedule_id: TEXT, next_run: nullable(INSTANT), schedule: ref('Schedule') }),
  ScheduleList: closedObject({ schedules: { type: 'array', items: ref('Schedule') } }),
  ScheduleDeleted: closedObject({ schedule_id: TEXT, deleted: { const: true } }),
  ScheduleRun: closedObject({
    run_id: TEXT,
    period: { ...nullable(TEXT), description: 'The period in the schedule’s zone (`2024-01-15`, `2024-W03`, `2024-01`...); null for a manual run.' },
    period_start: INSTANT,
    trigger: { enum: [...SCHEDULE_RUN_TRIGGERS] },
    status: {
      enum: [...new Set([...SCHEDULE_RUN_STATES.filter((state) => state !== 'started'), ...EXPORT_STATUSES])],
      description: 'The run’s own state until its export exists (`pending`, `failed`), then the export’s.',
    },
    export_job_id: nullable(TEXT),
    tracking_url: nullable(TEXT),
    covered: { ...nullable(closedObject({ from: INSTANT, to: INSTANT })), description: 'The date range the run’s export reads.' },
    missed_periods: { ...COUNT, description: 'For a catch-up: the periods it skipped.' },
    attempts: COUNT,
    error: nullable(TEXT),
    created_at: INSTANT,
    started_at: nullable(INSTANT),
  }),
  ScheduleRuns: closedObject({ schedule_id: TEXT, runs: { type: 'array', items: ref('ScheduleRun') } }),
  ScheduleRunStarted: {
    description: 'The run and its export (as export/create answers), or the pending run when it must wait (the workspace is at its quota).',
    oneOf: [
      strictObject([...created.required, 'run_id', 'schedule_id'], { run_id: TEXT, schedule_id: TEXT, ...created.properties }),
      closedObject({ run_id: TEXT, schedule_id: TEXT, status: { const: 'pending' }, reason: nullable(TEXT) }),
    ],
  },
  ScheduleBackfill: closedObject({
    schedule_id: TEXT,
    periods: COUNT,
    runs_created: COUNT,
    already_run: { ...COUNT, description: 'Periods of the range that had a run already (skipped).' },
    runs: { type: 'array', items: ref('ScheduleRun') },
  }),
};

const ADMIN_ONLY = ['admin'] as const;

/** A change of one schedule: admins only. */
function change(route: Omit<RouteDoc, 'tag' | 'auth' | 'roles' | 'params'>): RouteDoc {
  return { ...route, tag: 'schedules', auth: 'api_key', roles: ADMIN_ONLY, params: [SCHEDULE_ID_PARAM] };
}

/** /api/v1/export/scheduled: schedules of a template (every key of the workspace reads them, admins change them). */
export const SCHEDULE_DOCS: ApiDocPart = {
  schemas: SCHEDULE_SCHEMAS,
  routes: [
    {
      method: 'post',
      path: '/api/v1/export/scheduled',
      tag: 'schedules',
      summary: 'Schedule a template',
      description:
        '`frequency` `hourly` (`minute`), `daily` (`time`), `weekly` (`day_of_week`, `time`), `monthly` (`day_of_month`; 29-31 mean the last day of shorter months) or `cron` (five fields), each in `schedule.timezone` (IANA, UTC by default). The template must be one the caller sees (404) and runnable unattended (422).',
      auth: 'api_key',
      roles: ADMIN_ONLY,
      body: CreateScheduleDto,
      responses: { 201: { description: 'Created; its first firing is queued.', schema: ref('ScheduleCreated') } },
      errors: [400, 401, 403, 404, 413, 415, 422, 429],
    },
    {
      method: 'get',
      path: '/api/v1/export/scheduled',
      tag: 'schedules',
      summary: 'Schedules of the workspace',
      auth: 'api_key',
      responses: { 200: { description: 'The list.', schema: ref('ScheduleList') } },
      errors: [401, 429],
    },
    {
      method: 'get',
      path: '/api/v1/export/scheduled/{id}',
      tag: 'schedules',
      summary: 'One schedule',
      auth: 'api_key',
      params: [SCHEDULE_ID_PARAM],
      responses: { 200: { description: 'The schedule.', schema: ref('Schedule') } },
      errors: [401, 404, 429],
    },
    change({
      method: 'patch',
      path: '/api/v1/export/scheduled/{id}',
      summary: 'Change a schedule',
      description: 'Any of the create fields; `schedule` replaces the timing whole. A new timing moves the queued firing.',
      body: UpdateScheduleDto,
      responses: { 200: { description: 'The schedule as changed.', schema: ref('Schedule') } },
      errors: [400, 401, 403, 404, 413, 415, 422, 429],
    }),
    change({
      method: 'delete',
      path: '/api/v1/export/scheduled/{id}',
      summary: 'Delete a schedule',
      description: 'Its queued firing goes; its exports stay (retention no longer applies to them).',
      responses: { 200: { description: 'Deleted.', schema: ref('ScheduleDeleted') } },
      errors: [401, 403, 404, 429],
    }),
    change({
      method: 'post',
      path: '/api/v1/export/scheduled/{id}/pause',
      summary: 'Stop a schedule firing',
      description: 'Idempotent. Runs already recorded (a backfill, a run now) still start.',
      responses: { 200: { description: 'The paused schedule (`next_run` null).', schema: ref('Schedule') } },
      errors: [401, 403, 404, 429],
    }),
    change({
      method: 'post',
      path: '/api/v1/export/scheduled/{id}/resume',
      summary: 'Start a paused schedule firing again',
      description: 'Idempotent. It fires next for its next period, not for the ones it slept through.',
      responses: { 200: { description: 'The active schedule.', schema: ref('Schedule') } },
      errors: [401, 403, 404, 429],
    }),
    change({
      method: 'post',
      path: '/api/v1/export/scheduled/{id}/run',
      summary: 'Run a schedule now',
      description: 'A run outside the periods, through the one creation path. A template that no longer resolves answers 422 (the run is recorded as failed).',
      responses: { 202: { description: 'Started, or pending until the workspace has room.', schema: ref('ScheduleRunStarted') } },
      errors: [401, 403, 404, 422, 429],
    }),
    change({
      method: 'post',
      path: '/api/v1/export/scheduled/{id}/backfill',
      summary: 'Run a schedule for past periods',
      description:
        '`start` and `end` are days of the schedule’s zone (the end day included) or instants: one run per period, each read at its period; a period that ran already is skipped; more than 1,000 periods answer 422. An incremental (`since_last_run`) schedule cannot be backfilled.',
      body: BackfillDto,
      responses: { 202: { description: 'The runs recorded; their exports start in the background.', schema: ref('ScheduleBackfill') } },
      errors: [400, 401, 403, 404, 413, 415, 422, 429],
    }),
    {
      method: 'get',
      path: '/api/v1/export/scheduled/{id}/runs',
      tag: 'schedules',
      summary: 'Runs of a schedule, newest period first',
      auth: 'api_key',
      params: [
        SCHEDULE_ID_PARAM,
        { name: 'limit', in: 'query', description: 'Most runs answered (1-1,000; 100 by default).', schema: { type: 'integer', minimum: 1, maximum: 1_000 } },
      ],
      responses: { 200: { description: 'The runs.', schema: ref('ScheduleRuns') } },
      errors: [401, 404, 429],
    },
  ],
};

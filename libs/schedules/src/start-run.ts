import { incrementalUpperBound } from '@export-service/analytics';
import type { InstantRange } from '@export-service/contracts';
import type { ExportScheduleEntity, ScheduleRunEntity } from '@export-service/db';
import { AppError } from '@export-service/errors';
import { createExport, type CreatedExport } from '@export-service/exports';
import { periodLabel } from './frequencies';
import type { ScheduleDeps } from './schedule-deps';
import { isIncremental, requestFromTemplate } from './template-request';

/** Where the first incremental run starts: the whole history before its bound. */
const BEGINNING = new Date('1970-01-01T00:00:00Z');
const MAX_NAME_LENGTH = 200;

/** What starting a run did. */
export type RunStart =
  { outcome: 'started'; run: ScheduleRunEntity; created: CreatedExport } | { outcome: 'waiting'; reason: string } | { outcome: 'failed'; error: AppError } | { outcome: 'done' };

/** An export's name: the schedule's, and the period it covers (`Daily activity 2024-01-15`); a manual run is named by its moment. */
export function runExportName(schedule: Pick<ExportScheduleEntity, 'name' | 'frequency' | 'timezone'>, run: Pick<ScheduleRunEntity, 'trigger' | 'periodAt'>): string {
  const label = run.trigger === 'manual' ? `run ${run.periodAt.toISOString().slice(0, 19)}Z` : periodLabel(schedule.frequency, run.periodAt, schedule.timezone);
  return `${schedule.name.slice(0, MAX_NAME_LENGTH - label.length - 1)} ${label}`;
}

/**
 * Creates the export of a pending run through the one creation path, with the id chosen when the run
 * was recorded (so two starts of one run make one export). Relative date ranges are read at the
 * run's period (a manual run: now) in the schedule's zone, so a late or backfilled period exports
 * what it would have on time. An incremental (`since_last_run`) run waits while an earlier run of
 * the schedule is unfinished, then covers from where the last successful run stopped to the bound
 * of `incrementalUpperBound`. A full workspace quota or a busy analytics database makes it wait; a
 * template that no longer resolves fails the run for good.
 */
export async function startRun(deps: ScheduleDeps, runId: string, now = new Date()): Promise<RunStart> {
  const run = await deps.runs.findById(runId);
  if (!run || run.status !== 'pending') return { outcome: 'done' };
  const schedule = await deps.schedules.findById(run.scheduleId);
  const template = schedule ? await deps.templates.findById(schedule.templateId) : null;
  if (!schedule || !template) return fail(deps, run, new AppError('not_found', 422, schedule ? 'The schedule\u2019s template was deleted.' : 'The schedule was deleted.'));
  const request = requestFromTemplate(template, runExportName(schedule, run), {}, deps.secrets);
  request.delivery = { ...request.delivery, method: schedule.deliveryMethod };
  let sinceLastRun: InstantRange | undefined;
  if (isIncremental(request)) {
    if (await deps.runs.hasUnfinishedBefore(run)) return wait(deps, run, 'an earlier run of this incremental schedule has not finished');
    const from = (await deps.runs.lastSuccessfulEnd(schedule.id)) ?? BEGINNING;
    const to = await incrementalUpperBound(deps.analyticsPool);
    sinceLastRun = { from: from.toISOString(), to: new Date(Math.max(from.getTime(), to.getTime())).toISOString() };
  }
  let created: CreatedExport;
  try {
    created = await createExport(deps.creation, { workspaceId: schedule.workspaceId, userId: schedule.createdBy }, request, {
      now,
      jobId: run.exportJobId,
      lineage: { origin: 'schedule', scheduleId: schedule.id, templateId: template.id },
      resolution: { at: run.trigger === 'manual' ? run.createdAt : run.periodAt, timeZone: schedule.timezone, sinceLastRun },
    });
  } catch (error) {
    if (error instanceof AppError && (error.httpStatus === 429 || error.httpStatus === 503)) return wait(deps, run, error.message);
    if (error instanceof AppError && error.httpStatus < 500) return fail(deps, run, error);
    throw error;
  }
  // The range comes from the export as stored: a second start of this run found the first one's export.
  await deps.runs.markStarted(run.id, coveredRange(created));
  return { outcome: 'started', run: (await deps.runs.findById(run.id)) as ScheduleRunEntity, created };
}

/** The date range the export's first dated source covers (its incremental range when it has one). */
function coveredRange(created: CreatedExport): { from: Date; to: Date } | null {
  const range = created.job.spec.sources
    .map((source) => source.filters.date_range)
    .find((value): value is InstantRange => typeof value === 'object' && value !== null && 'from' in value);
  return range ? { from: new Date(range.from), to: new Date(range.to) } : null;
}

async function wait(deps: ScheduleDeps, run: ScheduleRunEntity, reason: string): Promise<RunStart> {
  await deps.runs.noteWaiting(run.id, { code: 'waiting', message: reason });
  return { outcome: 'waiting', reason };
}

async function fail(deps: ScheduleDeps, run: ScheduleRunEntity, error: AppError): Promise<RunStart> {
  const details = error.details.map((detail) => `${detail.field} ${detail.problem}`).join('; ');
  await deps.runs.markFailed(run.id, { code: error.code, message: details ? `${error.message} ${details}` : error.message });
  return { outcome: 'failed', error };
}

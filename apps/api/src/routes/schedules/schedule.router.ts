import { Router, type RequestHandler } from 'express';
import type { Principal, ScheduleWithLastRun } from '@export-service/db';
import { errors } from '@export-service/errors';
import { newJobId } from '@export-service/exports';
import { nextRunAfter } from '@export-service/periods';
import {
  backfillSchedule,
  checkSchedule,
  dropFiring,
  inputOf,
  newRunId,
  queueFiring,
  queueRunStarts,
  startRun,
  unschedulableReason,
  type ScheduleInput,
} from '@export-service/schedules';
import type { ApiDeps } from '../../api-deps';
import { principalOf, requireAdmin } from '../../middleware/auth';
import { jsonBody } from '../../middleware/json-body';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';
import { presentCreated } from '../exports/export.presenter';
import { findVisibleTemplate } from '../templates/template.router';
import { createSchedule } from './create-schedule';
import { BackfillDto, CreateScheduleDto, UpdateScheduleDto } from './schedule.dto';
import { presentRun, presentSchedule } from './schedule.presenter';

const SCHEDULE_ID = /^sch_[0-9a-f]{32}$/;
const BODY_PATHS = { timingPath: 'schedule', frequencyPath: 'frequency' };

/** The schedule named in the path, if it belongs to the caller's workspace; anything else is 404. */
async function findSchedule(deps: ApiDeps, id: string, principal: Principal): Promise<ScheduleWithLastRun> {
  const schedule = SCHEDULE_ID.test(id) ? await deps.scheduling.schedules.findInWorkspace(id, principal.workspaceId) : null;
  if (!schedule) throw errors.notFound('schedule', id.slice(0, 64));
  return schedule;
}

/** The template a schedule is to run: visible to the caller (404 otherwise) and runnable without anyone watching (422). */
async function checkTemplate(deps: ApiDeps, templateId: string, principal: Principal): Promise<void> {
  const template = await findVisibleTemplate(deps, templateId, principal);
  const reason = unschedulableReason(template);
  if (reason) throw errors.validation([{ field: 'template_id', problem: reason }]);
}

function createHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const body = await parseBody(CreateScheduleDto, req.body);
    await checkTemplate(deps, body.template_id, principal);
    const input: ScheduleInput = {
      name: body.name,
      templateId: body.template_id,
      frequency: body.frequency,
      schedule: body.schedule ?? {},
      retention: body.retention,
      delivery: body.delivery,
    };
    const created = await createSchedule(deps, principal, { input, isActive: body.is_active ?? true, paths: BODY_PATHS });
    await recordAudit(deps, req, res, {
      action: 'schedule.create',
      targetType: 'schedule',
      targetId: created.schedule_id,
      outcome: 'success',
      details: { frequency: body.frequency },
    });
    const schedule = await findSchedule(deps, created.schedule_id, principal);
    res.status(201).json({ ...created, schedule: presentSchedule(schedule) });
  };
}

function updateHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const schedule = await findSchedule(deps, String(req.params.id), principal);
    const body = await parseBody(UpdateScheduleDto, req.body);
    const stored = inputOf(schedule);
    if (body.template_id !== undefined && body.template_id !== schedule.templateId) await checkTemplate(deps, body.template_id, principal);
    const frequency = body.frequency ?? stored.frequency;
    // A new frequency without new timing starts from its defaults (in the same zone), not from the old frequency's fields.
    const timing = body.schedule ?? (frequency === stored.frequency ? stored.schedule : { timezone: stored.schedule.timezone });
    const input: ScheduleInput = {
      name: body.name ?? stored.name,
      templateId: body.template_id ?? stored.templateId,
      frequency,
      schedule: timing,
      retention: { ...stored.retention, ...body.retention },
      delivery: { ...stored.delivery, ...body.delivery },
    };
    const { settings, recurrence } = checkSchedule(input, { ...BODY_PATHS, allowsEverySeconds: deps.config.schedules.allowsEverySeconds });
    const isTimingChanged = body.frequency !== undefined || body.schedule !== undefined;
    const isActive = body.is_active ?? schedule.isActive;
    const nextRun = () => nextRunAfter(recurrence, settings.timezone, new Date());
    if (!isActive && schedule.isActive) await deps.scheduling.schedules.pause(schedule.id);
    // Active and staying so: a new timing moves next_run; otherwise it stays. Paused: no next_run until resumed.
    const isUpdated = await deps.scheduling.schedules.update(schedule.id, settings, isActive && schedule.isActive && isTimingChanged ? nextRun() : undefined);
    if (!isUpdated) throw errors.notFound('schedule', schedule.id);
    if (isActive && !schedule.isActive) await deps.scheduling.schedules.resume(schedule.id, nextRun());
    await syncFiring(deps, schedule);
    await recordAudit(deps, req, res, { action: 'schedule.update', targetType: 'schedule', targetId: schedule.id, outcome: 'success', details: { fields: Object.keys(body) } });
    res.json(presentSchedule(await findSchedule(deps, schedule.id, principal)));
  };
}

/** After a change: the old period's firing goes, the new one is queued (the scheduler would do both within a round). */
async function syncFiring(deps: ApiDeps, before: ScheduleWithLastRun): Promise<void> {
  const after = await deps.scheduling.schedules.findById(before.id);
  if (before.nextRun && before.nextRun.getTime() !== after?.nextRun?.getTime()) await dropFiring(deps.queues, before.id, before.nextRun);
  if (after?.isActive && after.nextRun) await queueFiring(deps.queues, after.id, after.nextRun);
}

function activeHandler(deps: ApiDeps, isActive: boolean): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const schedule = await findSchedule(deps, String(req.params.id), principal);
    // Idempotent: pausing a paused schedule (or resuming an active one) changes nothing.
    if (isActive) await deps.scheduling.schedules.resume(schedule.id, nextRunAfter(inputRecurrence(deps, schedule), schedule.timezone, new Date()));
    else await deps.scheduling.schedules.pause(schedule.id);
    await syncFiring(deps, schedule);
    await recordAudit(deps, req, res, { action: isActive ? 'schedule.resume' : 'schedule.pause', targetType: 'schedule', targetId: schedule.id, outcome: 'success', details: {} });
    res.json(presentSchedule(await findSchedule(deps, schedule.id, principal)));
  };
}

function inputRecurrence(deps: ApiDeps, schedule: ScheduleWithLastRun) {
  return checkSchedule(inputOf(schedule), { ...BODY_PATHS, allowsEverySeconds: deps.config.schedules.allowsEverySeconds }).recurrence;
}

/** POST .../run: a run now, outside the periods; answered with its export (or, when it must wait, its pending run). */
function runNowHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const schedule = await findSchedule(deps, String(req.params.id), principal);
    const runId = newRunId();
    const now = new Date();
    await deps.scheduling.runs.record({ id: runId, scheduleId: schedule.id, periodKey: `manual:${runId}`, periodAt: now, trigger: 'manual', exportJobId: newJobId() });
    const started = await startRun(deps.scheduling, runId, now);
    await recordAudit(deps, req, res, {
      action: 'schedule.run',
      targetType: 'schedule',
      targetId: schedule.id,
      outcome: started.outcome === 'failed' ? 'failed' : 'success',
      details: { run_id: runId },
    });
    if (started.outcome === 'failed') throw started.error;
    if (started.outcome === 'started') {
      res.status(202).json({ run_id: runId, schedule_id: schedule.id, ...presentCreated(started.created.job, started.created.estimate, null) });
      return;
    }
    await queueRunStarts(deps.queues, [runId], deps.config.schedules.runRetryMs);
    res.status(202).json({ run_id: runId, schedule_id: schedule.id, status: 'pending', reason: started.outcome === 'waiting' ? started.reason : null });
  };
}

function backfillHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const schedule = await findSchedule(deps, String(req.params.id), principal);
    const body = await parseBody(BackfillDto, req.body);
    const backfill = await backfillSchedule(deps.scheduling, schedule, body);
    await recordAudit(deps, req, res, {
      action: 'schedule.backfill',
      targetType: 'schedule',
      targetId: schedule.id,
      outcome: 'success',
      details: { start: body.start, end: body.end, periods: backfill.periods.length, created: backfill.created.length },
    });
    res.status(202).json({
      schedule_id: schedule.id,
      periods: backfill.periods.length,
      runs_created: backfill.created.length,
      already_run: backfill.alreadyRun,
      runs: backfill.created.map((run) => presentRun(schedule, { ...run, exportStatus: null })),
    });
  };
}

/** /api/v1/export/scheduled: schedules of the workspace (every key reads, admins change; documented in `schedule.openapi.ts`). */
export function scheduleRouter(deps: ApiDeps): Router {
  const router = Router();
  const body = jsonBody(deps.config.http.bodyLimitBytes);
  router.post('/export/scheduled', requireAdmin, ...body, createHandler(deps));
  router.get('/export/scheduled', async (_req, res) => {
    const schedules = await deps.scheduling.schedules.listForWorkspace(principalOf(res).workspaceId);
    res.json({ schedules: schedules.map(presentSchedule) });
  });
  router.get('/export/scheduled/:id', async (req, res) => res.json(presentSchedule(await findSchedule(deps, String(req.params.id), principalOf(res)))));
  router.patch('/export/scheduled/:id', requireAdmin, ...body, updateHandler(deps));
  router.delete('/export/scheduled/:id', requireAdmin, async (req, res) => {
    const schedule = await findSchedule(deps, String(req.params.id), principalOf(res));
    if (!(await deps.scheduling.schedules.delete(schedule.id))) throw errors.notFound('schedule', schedule.id);
    await dropFiring(deps.queues, schedule.id, schedule.nextRun);
    await recordAudit(deps, req, res, { action: 'schedule.delete', targetType: 'schedule', targetId: schedule.id, outcome: 'success', details: {} });
    res.json({ schedule_id: schedule.id, deleted: true });
  });
  router.post('/export/scheduled/:id/pause', requireAdmin, activeHandler(deps, false));
  router.post('/export/scheduled/:id/resume', requireAdmin, activeHandler(deps, true));
  router.post('/export/scheduled/:id/run', requireAdmin, runNowHandler(deps));
  router.post('/export/scheduled/:id/backfill', requireAdmin, ...body, backfillHandler(deps));
  router.get('/export/scheduled/:id/runs', async (req, res) => {
    const schedule = await findSchedule(deps, String(req.params.id), principalOf(res));
    const limit = Math.min(1_000, Math.max(1, Number(req.query.limit ?? 100) || 100));
    const runs = await deps.scheduling.runs.listForSchedule(schedule.id, limit);
    res.json({ schedule_id: schedule.id, runs: runs.map((run) => presentRun(schedule, run)) });
  });
  return router;
}

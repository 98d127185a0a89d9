import { randomBytes } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { TemplateRepository, type Principal, type TemplateWithCreator } from '@export-service/db';
import { AppError, ErrorCode, errors } from '@export-service/errors';
import { checkSchedule, refreshTemplateEstimates, resolveTemplate, sealTemplateConfiguration, unschedulableReason, type ScheduleInput } from '@export-service/schedules';
import type { ApiDeps } from '../../api-deps';
import { principalOf, refuseViewers } from '../../middleware/auth';
import { jsonBody } from '../../middleware/json-body';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';
import { TEMPLATE_ID } from '../exports/export.dto';
import { createSchedule } from '../schedules/create-schedule';
import { presentTemplate, presentTemplateDetail } from './template.presenter';
import { CreateTemplateDto, TemplateDto } from './template.dto';

/** Where a template's schedule block sits in its body, for error details. */
const SCHEDULE_PATHS = { timingPath: 'schedule', frequencyPath: 'schedule.frequency' };

/** A new template id: `tpl_` and 128 random bits. */
function newTemplateId(): string {
  return `tpl_${randomBytes(16).toString('hex')}`;
}

/** The template named in the path if the caller may see it; anything else (malformed, private, another workspace) is 404. */
export async function findVisibleTemplate(deps: ApiDeps, id: string, principal: Principal): Promise<TemplateWithCreator> {
  const template = TEMPLATE_ID.test(id) ? await deps.scheduling.templates.findVisible(id, principal) : null;
  if (!template) throw errors.notFound('template', id.slice(0, 64));
  return template;
}

async function findEditableTemplate(deps: ApiDeps, id: string, principal: Principal): Promise<TemplateWithCreator> {
  const template = await findVisibleTemplate(deps, id, principal);
  if (!TemplateRepository.isEditableBy(template, principal)) throw new AppError(ErrorCode.forbidden, 403, 'Only the template\u2019s creator or an admin may change or delete it.');
  return template;
}

/** Takes the estimate of the given templates again where it is stale, within one ESTIMATE_BUDGET_MS. */
function refreshEstimates(deps: ApiDeps, templates: TemplateWithCreator[]): Promise<void> {
  return refreshTemplateEstimates({ templates: deps.scheduling.templates, analyticsPool: deps.analyticsPool }, templates, {
    maxAgeMs: deps.config.schedules.templateEstimateMaxAgeMs,
    budgetMs: deps.config.limits.estimateBudgetMs,
  });
}

function createHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const body = await parseBody(CreateTemplateDto, req.body);
    // The catalog check of a run, now: a template that could never run is refused, naming the field.
    resolveTemplate(body.configuration, body.name, principal.workspaceId, new Date());
    if (body.schedule && principal.role !== 'admin')
      throw new AppError(ErrorCode.forbidden, 403, 'Creating a schedule needs an admin API key; save the template without "schedule".');
    const id = newTemplateId();
    const sealed = sealTemplateConfiguration(id, body.configuration, deps.scheduling.secrets);
    const schedule = body.schedule;
    const timing = schedule ? (({ enabled: _e, frequency: _f, name: _n, retention: _r, delivery: _d, ...rest }) => rest)(schedule) : null;
    const scheduleInput: ScheduleInput | null =
      schedule && timing
        ? { name: schedule.name ?? body.name, templateId: id, frequency: schedule.frequency, schedule: timing, retention: schedule.retention, delivery: schedule.delivery }
        : null;
    // Checked before anything is stored, so a bad schedule block leaves nothing behind.
    if (scheduleInput) {
      checkSchedule(scheduleInput, { ...SCHEDULE_PATHS, allowsEverySeconds: deps.config.schedules.allowsEverySeconds });
      const reason = unschedulableReason(sealed);
      if (reason) throw errors.validation([{ field: 'schedule', problem: `cannot run this template: it ${reason}` }]);
    }
    const template = await deps.scheduling.templates.create({
      id,
      workspaceId: principal.workspaceId,
      createdBy: principal.userId,
      name: body.name,
      description: body.description ?? '',
      configuration: sealed.configuration,
      sealedPassword: sealed.sealedPassword,
      isPublic: body.is_public ?? false,
    });
    let created: { schedule_id: string; next_run: string | null } | null = null;
    if (schedule && scheduleInput) {
      try {
        created = await createSchedule(deps, principal, { input: scheduleInput, isActive: schedule.enabled, paths: SCHEDULE_PATHS });
      } catch (error) {
        // A schedule block that does not hold leaves no template behind.
        await deps.scheduling.templates.delete(id);
        throw error;
      }
    }
    await refreshEstimates(deps, [Object.assign(template, { creatorName: '' })]);
    await recordAudit(deps, req, res, {
      action: 'template.create',
      targetType: 'template',
      targetId: id,
      outcome: 'success',
      details: { schedule_id: created?.schedule_id ?? null },
    });
    res.status(201).json({ template_id: id, created: true, estimated_size_mb: template.estimatedSizeMb, ...(created ?? {}) });
  };
}

function updateHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const template = await findEditableTemplate(deps, String(req.params.id), principal);
    const body = await parseBody(TemplateDto, req.body);
    resolveTemplate(body.configuration, body.name, principal.workspaceId, new Date());
    const sealed = sealTemplateConfiguration(template.id, body.configuration, deps.scheduling.secrets);
    const isUpdated = await deps.scheduling.templates.update(template.id, {
      name: body.name,
      description: body.description ?? '',
      configuration: sealed.configuration,
      sealedPassword: sealed.sealedPassword,
      isPublic: body.is_public ?? false,
    });
    if (!isUpdated) throw errors.notFound('template', template.id);
    const updated = await findVisibleTemplate(deps, template.id, principal);
    await refreshEstimates(deps, [updated]);
    await recordAudit(deps, req, res, { action: 'template.update', targetType: 'template', targetId: template.id, outcome: 'success', details: {} });
    res.json(presentTemplateDetail(updated));
  };
}

function deleteHandler(deps: ApiDeps): RequestHandler {
  return async (req, res) => {
    const principal = principalOf(res);
    const template = await findEditableTemplate(deps, String(req.params.id), principal);
    const outcome = await deps.scheduling.templates.delete(template.id);
    if (outcome === 'missing') throw errors.notFound('template', template.id);
    if (outcome !== 'deleted') {
      throw new AppError(ErrorCode.conflict, 409, `Template ${template.id} is run by ${outcome.usedBySchedules.length} schedule(s); delete them first.`, {
        details: outcome.usedBySchedules.map((id) => ({ field: 'schedule_id', problem: `${id} runs this template` })),
      });
    }
    await recordAudit(deps, req, res, { action: 'template.delete', targetType: 'template', targetId: template.id, outcome: 'success', details: {} });
    res.json({ template_id: template.id, deleted: true });
  };
}

/** /api/v1/export/templates: saved export configurations (documented in `template.openapi.ts`). */
export function templateRouter(deps: ApiDeps): Router {
  const router = Router();
  const body = jsonBody(deps.config.http.bodyLimitBytes);
  router.post('/export/templates', ...body, createHandler(deps));
  router.get('/export/templates', async (_req, res) => {
    const templates = await deps.scheduling.templates.listVisible(principalOf(res));
    await refreshEstimates(deps, templates);
    res.json({ templates: templates.map(presentTemplate) });
  });
  // The list is status-like; a template's configuration (fields, filter values) is not shown to viewers.
  router.get('/export/templates/:id', refuseViewers, async (req, res) => {
    const template = await findVisibleTemplate(deps, String(req.params.id), principalOf(res));
    await refreshEstimates(deps, [template]);
    res.json(presentTemplateDetail(template));
  });
  router.put('/export/templates/:id', ...body, updateHandler(deps));
  router.delete('/export/templates/:id', deleteHandler(deps));
  return router;
}

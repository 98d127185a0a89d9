import { randomBytes } from 'node:crypto';
import type { Principal } from '@export-service/db';
import { errors } from '@export-service/errors';
import { checkSchedule, queueFiring, type ScheduleInput } from '@export-service/schedules';
import { nextRunAfter } from '@export-service/periods';
import type { ApiDeps } from '../../api-deps';

/** A new schedule id: `sch_` and 128 random bits. */
function newScheduleId(): string {
  return `sch_${randomBytes(16).toString('hex')}`;
}

/**
 * Checks and stores a schedule (POST /export/scheduled, or a template's `schedule` block) and queues
 * its first firing right away, so it does not wait for the scheduler's next round; the scheduler
 * keeps it queued from then on.
 */
export async function createSchedule(
  deps: ApiDeps,
  principal: Principal,
  request: { input: ScheduleInput; isActive: boolean; paths: { timingPath: string; frequencyPath: string } },
): Promise<{ schedule_id: string; next_run: string | null }> {
  const { settings, recurrence } = checkSchedule(request.input, { ...request.paths, allowsEverySeconds: deps.config.schedules.allowsEverySeconds });
  const id = newScheduleId();
  const nextRun = request.isActive ? nextRunAfter(recurrence, settings.timezone, new Date()) : null;
  const isCreated = await deps.scheduling.schedules.create({
    ...settings,
    id,
    workspaceId: principal.workspaceId,
    createdBy: principal.userId,
    isActive: request.isActive,
    nextRun,
  });
  if (!isCreated) throw errors.notFound('template', settings.templateId);
  if (nextRun) await queueFiring(deps.queues, id, nextRun);
  return { schedule_id: id, next_run: nextRun?.toISOString() ?? null };
}

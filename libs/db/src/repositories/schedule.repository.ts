import type { DataSource } from 'typeorm';
import type { DeliveryMethod, ScheduleFrequency, ScheduleTiming } from '@export-service/contracts';
import { ExportScheduleEntity } from '../entities/export-schedule.entity';
import { returned } from './sql-results';
import { TemplateRepository } from './template.repository';

/** When and how a schedule runs: the part a create writes and a PATCH changes. */
export interface ScheduleSettings {
  name: string;
  templateId: string;
  frequency: ScheduleFrequency;
  timing: Omit<ScheduleTiming, 'timezone'>;
  timezone: string;
  keepExportsDays: number | null;
  autoCleanup: boolean;
  deliveryMethod: DeliveryMethod;
  autoDeleteAfterDays: number | null;
}

/** What creating a schedule writes. */
export interface NewSchedule extends ScheduleSettings {
  id: string;
  workspaceId: string;
  createdBy: string;
  isActive: boolean;
  /** The first period it fires for (null when created paused). */
  nextRun: Date | null;
}

/** A schedule with when it last started a run (computed from its runs, so it is always true). */
export type ScheduleWithLastRun = ExportScheduleEntity & { lastRun: Date | null };

/** A firing the scheduler keeps queued: the schedule and the period it fires for next. */
export interface DueFiring {
  scheduleId: string;
  nextRun: Date;
}

const LAST_RUN = `(SELECT max(r.started_at) FROM schedule_runs r WHERE r.schedule_id = s.id AND r.status = 'started')`;

/**
 * Schedules as a state machine: active (with a `next_run`) ⇄ paused (none), and deleted for good.
 * Every transition is a conditional UPDATE; `advance` moves `next_run` only from the period it was
 * at, so two firings of one period cannot both move it.
 */
export class ScheduleRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts a schedule; false when its template was deleted meanwhile (the template row is locked while it checks). */
  async create(schedule: NewSchedule): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await TemplateRepository.lockLive(manager, schedule.templateId))) return false;
      await manager.getRepository(ExportScheduleEntity).insert({ ...schedule, version: 1, deletedAt: null });
      return true;
    });
  }

  /** A live schedule by id, whatever its workspace (for the handlers, which get ids only). */
  findById(id: string): Promise<ExportScheduleEntity | null> {
    return this.dataSource.getRepository(ExportScheduleEntity).createQueryBuilder('s').where('s.id = :id AND s.deleted_at IS NULL', { id }).getOne();
  }

  /** A live schedule of the workspace, with its last run; another workspace's is as good as missing. */
  async findInWorkspace(id: string, workspaceId: string): Promise<ScheduleWithLastRun | null> {
    return (await this.withLastRun(workspaceId, id))[0] ?? null;
  }

  listForWorkspace(workspaceId: string): Promise<ScheduleWithLastRun[]> {
    return this.withLastRun(workspaceId);
  }

  /** Replaces the settings (and, when given, the next period); false when the schedule is gone or its new template is. */
  async update(id: string, settings: ScheduleSettings, nextRun: Date | null | undefined): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await TemplateRepository.lockLive(manager, settings.templateId))) return false;
      const result = await manager
        .getRepository(ExportScheduleEntity)
        .createQueryBuilder()
        .update()
        .set({ ...settings, ...(nextRun === undefined ? {} : { nextRun }), version: () => 'version + 1', updatedAt: () => 'now()' })
        .where('id = :id AND deleted_at IS NULL', { id })
        .andWhere(nextRun === undefined ? 'true' : 'is_active = :isActive', { isActive: nextRun !== null })
        .execute();
      return (result.affected ?? 0) > 0;
    });
  }

  /** Active → paused: no more firings. False when it was not active. */
  async pause(id: string): Promise<boolean> {
    return this.changed(
      `UPDATE export_schedules SET is_active = false, next_run = NULL, version = version + 1, updated_at = now() WHERE id = $1 AND is_active AND deleted_at IS NULL RETURNING id`,
      [id],
    );
  }

  /** Paused → active, firing next for `nextRun` (missed periods while paused are not run). False when it was not paused. */
  async resume(id: string, nextRun: Date): Promise<boolean> {
    return this.changed(
      `UPDATE export_schedules SET is_active = true, next_run = $2, version = version + 1, updated_at = now() WHERE id = $1 AND NOT is_active AND deleted_at IS NULL RETURNING id`,
      [id, nextRun],
    );
  }

  /** Deletes a schedule (its row and runs stay for the exports' lineage). */
  async delete(id: string): Promise<boolean> {
    return this.changed(`UPDATE export_schedules SET deleted_at = now(), is_active = false, next_run = NULL WHERE id = $1 AND deleted_at IS NULL RETURNING id`, [id]);
  }

  /** Moves `next_run` from the period that fired to the next one; false when someone else moved it first (or it was paused, changed, deleted). */
  async advance(id: string, from: Date, to: Date): Promise<boolean> {
    return this.changed(`UPDATE export_schedules SET next_run = $3 WHERE id = $1 AND next_run = $2 AND is_active AND deleted_at IS NULL RETURNING id`, [id, from, to]);
  }

  /** Every active schedule and the period it fires for next, a page at a time by id. */
  async dueFirings(options: { afterId?: string; limit?: number } = {}): Promise<DueFiring[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, next_run FROM export_schedules WHERE is_active AND deleted_at IS NULL AND next_run IS NOT NULL AND id > $1 ORDER BY id LIMIT $2`,
      [options.afterId ?? '', options.limit ?? 1_000],
    )) as Array<{ id: string; next_run: Date }>;
    return rows.map((row) => ({ scheduleId: row.id, nextRun: row.next_run }));
  }

  private async changed(sql: string, values: unknown[]): Promise<boolean> {
    return returned(await this.dataSource.query(sql, values)).length > 0;
  }

  private async withLastRun(workspaceId: string, id?: string): Promise<ScheduleWithLastRun[]> {
    const query = this.dataSource
      .getRepository(ExportScheduleEntity)
      .createQueryBuilder('s')
      .addSelect(LAST_RUN, 'last_run')
      .where('s.workspace_id = :workspaceId AND s.deleted_at IS NULL', { workspaceId })
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC');
    if (id !== undefined) query.andWhere('s.id = :id', { id });
    const { entities, raw } = await query.getRawAndEntities<{ last_run: Date | null }>();
    return entities.map((entity, index) => Object.assign(entity, { lastRun: raw[index]?.last_run ?? null }));
  }
}

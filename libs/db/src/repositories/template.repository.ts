import type { DataSource } from 'typeorm';
import { ExportTemplateEntity, type TemplateConfiguration } from '../entities/export-template.entity';
import { UserEntity } from '../entities/user.entity';
import { returned } from './sql-results';
import type { JobViewer } from './export-job.repository';

/** What saving a new template writes. */
export interface NewTemplate {
  id: string;
  workspaceId: string;
  createdBy: string;
  name: string;
  description: string;
  configuration: TemplateConfiguration;
  sealedPassword: string | null;
  isPublic: boolean;
}

/** A template with the name of the user who made it. */
export type TemplateWithCreator = ExportTemplateEntity & { creatorName: string };

/** Why a template could not be deleted. */
export type TemplateDeletion = 'deleted' | 'missing' | { usedBySchedules: string[] };

/**
 * Export templates. Visibility follows the export rules: public templates are seen by the whole
 * workspace, private ones by their creator and the workspace's admins; another workspace's template
 * is as good as missing. Only the creator or an admin may change or delete one.
 */
export class TemplateRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(template: NewTemplate): Promise<ExportTemplateEntity> {
    await this.dataSource.query(
      `INSERT INTO export_templates (id, workspace_id, created_by, name, description, configuration, sealed_password, is_public) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        template.id,
        template.workspaceId,
        template.createdBy,
        template.name,
        template.description,
        JSON.stringify(template.configuration),
        template.sealedPassword,
        template.isPublic,
      ],
    );
    return (await this.findById(template.id)) as ExportTemplateEntity;
  }

  findById(id: string): Promise<ExportTemplateEntity | null> {
    return this.dataSource.getRepository(ExportTemplateEntity).createQueryBuilder('t').where('t.id = :id AND t.deleted_at IS NULL', { id }).getOne();
  }

  /** A template the viewer may see (public, its own, or any of the workspace for an admin), with its creator's name. */
  async findVisible(id: string, viewer: JobViewer): Promise<TemplateWithCreator | null> {
    return (await this.visible(viewer, id))[0] ?? null;
  }

  /** Every template the viewer may see, newest first. */
  listVisible(viewer: JobViewer): Promise<TemplateWithCreator[]> {
    return this.visible(viewer);
  }

  /** True when the viewer may change or delete the template: its creator, or an admin of its workspace. */
  static isEditableBy(template: ExportTemplateEntity, viewer: JobViewer): boolean {
    return template.workspaceId === viewer.workspaceId && (viewer.role === 'admin' || template.createdBy === viewer.userId);
  }

  /** Replaces a template's content; its estimate is taken again on the next save or listing. False when it is gone. */
  async update(id: string, changes: Pick<NewTemplate, 'name' | 'description' | 'configuration' | 'sealedPassword' | 'isPublic'>): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE export_templates SET name = $2, description = $3, configuration = $4, sealed_password = $5, is_public = $6, estimated_at = NULL, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [id, changes.name, changes.description, JSON.stringify(changes.configuration), changes.sealedPassword, changes.isPublic],
    );
    return returned(result).length > 0;
  }

  /** Deletes a template (the row stays for the lineage of its exports) unless a schedule still runs it. */
  async delete(id: string): Promise<TemplateDeletion> {
    return this.dataSource.transaction(async (manager) => {
      // Lock the template so a schedule cannot be created on it between the check and the delete.
      const [row] = (await manager.query(`SELECT id FROM export_templates WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, [id])) as Array<{ id: string }>;
      if (!row) return 'missing';
      const users = (await manager.query(`SELECT id FROM export_schedules WHERE template_id = $1 AND deleted_at IS NULL ORDER BY id`, [id])) as Array<{ id: string }>;
      if (users.length > 0) return { usedBySchedules: users.map((schedule) => schedule.id) };
      await manager.query(`UPDATE export_templates SET deleted_at = now(), sealed_password = NULL WHERE id = $1`, [id]);
      return 'deleted';
    });
  }

  /** Locks a live template row for the rest of the transaction (creating a schedule on it). False when it is gone. */
  static async lockLive(manager: { query: DataSource['query'] }, id: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT id FROM export_templates WHERE id = $1 AND deleted_at IS NULL FOR SHARE`, [id])) as unknown[];
    return rows.length > 0;
  }

  /** Stores a fresh estimate and when it was taken. */
  async recordEstimate(id: string, estimate: { rows: number; sizeMb: number }, at: Date): Promise<void> {
    await this.dataSource.query(`UPDATE export_templates SET estimated_rows = $2, estimated_size_mb = $3, estimated_at = $4 WHERE id = $1`, [
      id,
      estimate.rows,
      estimate.sizeMb,
      at,
    ]);
  }

  private async visible(viewer: JobViewer, id?: string): Promise<TemplateWithCreator[]> {
    const query = this.dataSource
      .getRepository(ExportTemplateEntity)
      .createQueryBuilder('t')
      .leftJoin(UserEntity, 'u', 'u.id = t.created_by')
      .addSelect('u.name', 'creator_name')
      .where('t.workspace_id = :workspaceId AND t.deleted_at IS NULL', { workspaceId: viewer.workspaceId })
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC');
    if (viewer.role !== 'admin') query.andWhere('(t.is_public OR t.created_by = :userId)', { userId: viewer.userId });
    if (id !== undefined) query.andWhere('t.id = :id', { id });
    const { entities, raw } = await query.getRawAndEntities<{ creator_name: string | null }>();
    return entities.map((entity, index) => Object.assign(entity, { creatorName: raw[index]?.creator_name ?? '' }));
  }
}

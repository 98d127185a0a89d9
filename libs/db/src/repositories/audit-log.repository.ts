import type { DataSource } from 'typeorm';
import { AuditLogEntity } from '../entities/audit-log.entity';

/** One audited event. */
export interface AuditEntry {
  workspaceId: string;
  userId: string | null;
  apiKeyHint: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: 'success' | 'denied' | 'failed';
  details?: Record<string, unknown>;
}

/** Append-only audit trail, readable per workspace. */
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: AuditEntry): Promise<void> {
    const { details, ...columns } = entry;
    await this.dataSource.query(
      `INSERT INTO audit_log (workspace_id, user_id, api_key_hint, action, target_type, target_id, ip, user_agent, outcome, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        columns.workspaceId,
        columns.userId,
        columns.apiKeyHint,
        columns.action,
        columns.targetType,
        columns.targetId,
        columns.ip,
        columns.userAgent,
        columns.outcome,
        JSON.stringify(details ?? {}),
      ],
    );
  }

  /** Newest first; `beforeId` pages backwards. */
  list(workspaceId: string, options: { limit: number; beforeId?: string }): Promise<AuditLogEntity[]> {
    const query = this.dataSource
      .getRepository(AuditLogEntity)
      .createQueryBuilder('entry')
      .where('entry.workspace_id = :workspaceId', { workspaceId })
      .orderBy('entry.id', 'DESC')
      .limit(options.limit);
    if (options.beforeId) query.andWhere('entry.id < :beforeId', { beforeId: options.beforeId });
    return query.getMany();
  }
}

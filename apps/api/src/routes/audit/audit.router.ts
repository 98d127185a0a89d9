import { Router } from 'express';
import { errors } from '@export-service/errors';
import type { ApiDeps } from '../../api-deps';
import { principalOf } from '../../middleware/auth';

/** GET /api/v1/audit?limit=&before=: the workspace's audit trail, newest first (admins). */
export function auditRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw errors.validation([{ field: 'limit', problem: 'must be a whole number from 1 to 500' }]);
    const before = req.query.before;
    if (before !== undefined && (typeof before !== 'string' || !/^\d{1,18}$/.test(before))) throw errors.validation([{ field: 'before', problem: 'must be an audit entry id' }]);
    const entries = await deps.audit.list(principalOf(res).workspaceId, { limit, beforeId: before });
    res.json({
      entries: entries.map((entry) => ({
        id: entry.id,
        action: entry.action,
        outcome: entry.outcome,
        target_type: entry.targetType,
        target_id: entry.targetId,
        user_id: entry.userId,
        api_key_hint: entry.apiKeyHint,
        ip: entry.ip,
        user_agent: entry.userAgent,
        details: entry.details,
        created_at: entry.createdAt.toISOString(),
      })),
      next_before: entries.length === limit ? entries.at(-1)?.id : null,
    });
  });
  return router;
}

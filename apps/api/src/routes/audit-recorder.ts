import type { Request, Response } from 'express';
import type { AuditEntry } from '@export-service/db';
import type { ApiDeps } from '../api-deps';
import { clientIp } from '../middleware/client-ip';

/** What happened, to whom; who and from where is taken from the request. */
export type AuditEvent = Pick<AuditEntry, 'action' | 'targetType' | 'targetId' | 'outcome' | 'details'>;

/** Who acted, when it is not an API key's holder (a signed link names only the workspace). */
export interface AuditActor {
  workspaceId: string;
  userId: string | null;
  apiKeyHint: string | null;
}

/** Writes an audit row for the authenticated caller of this request (or the given actor). Never fails the request. */
export async function recordAudit(deps: Pick<ApiDeps, 'audit' | 'logger'>, req: Request, res: Response, event: AuditEvent, actor?: AuditActor): Promise<void> {
  const principal = actor ?? (res.locals.principal as AuditActor | undefined);
  if (!principal) return;
  try {
    await deps.audit.record({
      ...event,
      workspaceId: principal.workspaceId,
      userId: principal.userId,
      apiKeyHint: principal.apiKeyHint,
      ip: clientIp(req),
      userAgent: req.get('user-agent')?.slice(0, 256) ?? null,
    });
  } catch (error) {
    deps.logger.error('audit record failed', { requestId: res.locals.requestId, action: event.action, error });
  }
}

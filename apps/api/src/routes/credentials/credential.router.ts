import { Router } from 'express';
import type { WorkspaceCredentialEntity } from '@export-service/db';
import { errors, type ErrorDetail } from '@export-service/errors';
import { randomUUID } from 'node:crypto';
import { credentialContext, sealSecret } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { principalOf } from '../../middleware/auth';
import { jsonBody } from '../../middleware/json-body';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';
import { CredentialDto } from './credential.dto';

const KEY = /^[a-z][a-z0-9_]{0,63}$/;
const SECRET_LOOKING = /pass|secret|token|private|key$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkMap(map: Record<string, unknown>, field: string, maxKeys: number, maxLength: number, problems: ErrorDetail[], isSecret: boolean): void {
  const entries = Object.entries(map);
  if (entries.length > maxKeys) problems.push({ field, problem: `must have at most ${maxKeys} keys` });
  for (const [key, value] of entries) {
    if (!KEY.test(key)) problems.push({ field: `${field}.${key}`, problem: 'is not a valid key (lower-case letters, digits, _)' });
    else if (!isSecret && SECRET_LOOKING.test(key)) problems.push({ field: `${field}.${key}`, problem: 'looks like a secret; put it in "secret" so it is encrypted' });
    const isValueOk = isSecret ? typeof value === 'string' : ['string', 'number', 'boolean'].includes(typeof value);
    if (!isValueOk) problems.push({ field: `${field}.${key}`, problem: isSecret ? 'must be a string' : 'must be a string, number or boolean' });
    else if (typeof value === 'string' && value.length > maxLength) problems.push({ field: `${field}.${key}`, problem: `must be at most ${maxLength} characters` });
  }
}

function present(credential: WorkspaceCredentialEntity, secretFields: string[]) {
  return {
    id: credential.id,
    name: credential.name,
    kind: credential.kind,
    config: credential.publicConfig,
    secret_fields: secretFields,
    created_at: credential.createdAt.toISOString(),
  };
}

/** Stored delivery credentials (admins): secrets are sealed with EXPORT_SECRET_KEY and never answered. */
export function credentialRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/', ...jsonBody(deps.config.http.bodyLimitBytes), async (req, res) => {
    const principal = principalOf(res);
    const dto = await parseBody(CredentialDto, req.body);
    const problems: ErrorDetail[] = [];
    checkMap(dto.config ?? {}, 'config', 20, 1_024, problems, false);
    checkMap(dto.secret, 'secret', 10, 16_384, problems, true);
    if (problems.length > 0) throw errors.validation(problems);
    if (await deps.credentials.findByName(principal.workspaceId, dto.name)) throw errors.conflict(`A credential named "${dto.name}"`);
    // Sealed to its own record: a sealed value copied onto another credential row does not open.
    const id = randomUUID();
    const sealed = sealSecret(JSON.stringify(dto.secret), { key: deps.config.secrets.key, previousKeys: [] }, credentialContext({ id, workspaceId: principal.workspaceId }));
    const created = await deps.credentials.create({
      id,
      workspaceId: principal.workspaceId,
      name: dto.name,
      kind: dto.kind,
      publicConfig: (dto.config ?? {}) as Record<string, string | number | boolean>,
      sealedSecret: sealed,
    });
    await recordAudit(deps, req, res, {
      action: 'credential.create',
      targetType: 'credential',
      targetId: created.id,
      outcome: 'success',
      details: { name: dto.name, kind: dto.kind },
    });
    res.status(201).json(present(created, Object.keys(dto.secret)));
  });
  router.get('/', async (_req, res) => {
    const list = await deps.credentials.listForWorkspace(principalOf(res).workspaceId);
    res.json({ credentials: list.map((credential) => present(credential, [])) });
  });
  router.delete('/:id', async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.id);
    if (!UUID.test(id) || !(await deps.credentials.delete(id, principal.workspaceId))) throw errors.notFound('credential', id);
    await recordAudit(deps, req, res, { action: 'credential.delete', targetType: 'credential', targetId: id, outcome: 'success' });
    res.json({ id, deleted: true });
  });
  return router;
}

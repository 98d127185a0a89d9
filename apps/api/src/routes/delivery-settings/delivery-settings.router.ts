import { Router } from 'express';
import { ArrayMaxSize, IsArray, IsDefined, IsString, Matches } from 'class-validator';
import { generateWebhookSecret, sealSecret, webhookSecretContext } from '@export-service/security';
import type { ApiDeps } from '../../api-deps';
import { principalOf } from '../../middleware/auth';
import { jsonBody } from '../../middleware/json-body';
import { parseBody } from '../../middleware/validate';
import { recordAudit } from '../audit-recorder';

/** PUT /api/v1/delivery-settings */
export class DeliverySettingsDto {
  /** Email recipients must be at one of these domains or their subdomains; empty allows any. */
  @IsDefined()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { each: true, message: '$property must hold lower-case domain names such as example.com' })
  email_allowed_domains!: string[];
}

/**
 * The workspace's delivery settings (admins): which email domains may receive exports, and the
 * webhook signing secret. The secret is shown once, when it is created or rotated; it is sealed at
 * rest and signs every webhook from then on (a rotation takes effect for the next webhook sent).
 */
export function deliverySettingsRouter(deps: ApiDeps): Router {
  const router = Router();
  const present = async (workspaceId: string) => {
    const settings = await deps.deliverySettings.find(workspaceId);
    return {
      email_allowed_domains: settings.emailAllowedDomains,
      webhook_secret: { is_set: settings.sealedWebhookSecret !== null, rotated_at: settings.webhookSecretRotatedAt?.toISOString() ?? null },
    };
  };
  router.get('/', async (_req, res) => {
    res.json(await present(principalOf(res).workspaceId));
  });
  router.put('/', ...jsonBody(deps.config.http.bodyLimitBytes), async (req, res) => {
    const dto = await parseBody(DeliverySettingsDto, req.body);
    const { workspaceId } = principalOf(res);
    await deps.deliverySettings.setEmailAllowedDomains(workspaceId, [...new Set(dto.email_allowed_domains)]);
    await recordAudit(deps, req, res, {
      action: 'delivery_settings.update',
      targetType: 'workspace',
      targetId: workspaceId,
      outcome: 'success',
      details: { email_allowed_domains: dto.email_allowed_domains },
    });
    res.json(await present(workspaceId));
  });
  router.post('/webhook-secret', async (req, res) => {
    const { workspaceId } = principalOf(res);
    const secret = generateWebhookSecret();
    const sealed = sealSecret(secret, { key: deps.config.secrets.key, previousKeys: [] }, webhookSecretContext(workspaceId));
    const rotatedAt = await deps.deliverySettings.replaceWebhookSecret(workspaceId, sealed);
    await recordAudit(deps, req, res, { action: 'delivery_settings.webhook_secret_rotate', targetType: 'workspace', targetId: workspaceId, outcome: 'success' });
    res.status(201).json({
      webhook_secret: secret,
      rotated_at: rotatedAt.toISOString(),
      notice: 'Store this secret now: it is shown only once. Check X-Signature (sha256= HMAC-SHA256 of the raw body) and refuse bodies whose timestamp is more than 5 minutes old.',
    });
  });
  return router;
}

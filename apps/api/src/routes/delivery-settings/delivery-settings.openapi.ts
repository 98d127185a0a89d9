import { closedObject, INSTANT, nullable, TEXT } from '../../openapi/common.schemas';
import { ref, type ApiDocPart } from '../../openapi/route-doc';
import { DeliverySettingsDto } from './delivery-settings.router';

/** GET/PUT /delivery-settings and the webhook secret's rotation (admins). */
export const DELIVERY_SETTINGS_DOCS: ApiDocPart = {
  schemas: {
    DeliverySettings: closedObject({
      email_allowed_domains: { type: 'array', items: TEXT, description: 'Email recipients must be at one of these domains or their subdomains; empty allows any.' },
      webhook_secret: closedObject({ is_set: { type: 'boolean' }, rotated_at: nullable(INSTANT) }),
    }),
    WebhookSecret: closedObject({
      webhook_secret: { type: 'string', description: 'The new signing secret, shown this once.' },
      rotated_at: INSTANT,
      notice: TEXT,
    }),
  },
  routes: [
    {
      method: 'get',
      path: '/api/v1/delivery-settings',
      tag: 'delivery',
      summary: "The workspace's delivery settings (never the webhook secret itself)",
      auth: 'api_key',
      roles: ['admin'],
      responses: { 200: { description: 'The settings.', schema: ref('DeliverySettings') } },
      errors: [401, 403, 429],
    },
    {
      method: 'put',
      path: '/api/v1/delivery-settings',
      tag: 'delivery',
      summary: 'Set which email domains may receive exports',
      auth: 'api_key',
      roles: ['admin'],
      body: DeliverySettingsDto,
      responses: { 200: { description: 'The settings now.', schema: ref('DeliverySettings') } },
      errors: [400, 401, 403, 413, 415, 422, 429],
    },
    {
      method: 'post',
      path: '/api/v1/delivery-settings/webhook-secret',
      tag: 'delivery',
      summary: 'Create or rotate the webhook signing secret',
      description: 'Webhooks carry `X-Signature: sha256=<HMAC-SHA256 of the raw body>` under this secret; the next webhook sent uses the new one.',
      auth: 'api_key',
      roles: ['admin'],
      responses: { 201: { description: 'The secret, shown once.', schema: ref('WebhookSecret') } },
      errors: [401, 403, 429],
    },
  ],
};

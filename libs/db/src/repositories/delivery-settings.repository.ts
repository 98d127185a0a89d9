import type { DataSource } from 'typeorm';

/** A workspace's delivery settings; the webhook secret stays sealed here. */
export interface DeliverySettings {
  workspaceId: string;
  /** Email recipients must be at one of these domains (or their subdomains); empty allows any. */
  emailAllowedDomains: string[];
  sealedWebhookSecret: string | null;
  webhookSecretRotatedAt: Date | null;
}

/** Per-workspace delivery settings (admins change them through /api/v1/delivery-settings). */
export class DeliverySettingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The workspace's settings, or the defaults (any domain, no webhook secret yet). */
  async find(workspaceId: string): Promise<DeliverySettings> {
    const [row] = (await this.dataSource.query(
      `SELECT email_allowed_domains AS "emailAllowedDomains", sealed_webhook_secret AS "sealedWebhookSecret", webhook_secret_rotated_at AS "webhookSecretRotatedAt"
         FROM workspace_delivery_settings WHERE workspace_id = $1`,
      [workspaceId],
    )) as Array<Omit<DeliverySettings, 'workspaceId'>>;
    return {
      workspaceId,
      emailAllowedDomains: row?.emailAllowedDomains ?? [],
      sealedWebhookSecret: row?.sealedWebhookSecret ?? null,
      webhookSecretRotatedAt: row?.webhookSecretRotatedAt ?? null,
    };
  }

  async setEmailAllowedDomains(workspaceId: string, domains: string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO workspace_delivery_settings (workspace_id, email_allowed_domains) VALUES ($1, $2)
       ON CONFLICT (workspace_id) DO UPDATE SET email_allowed_domains = EXCLUDED.email_allowed_domains, updated_at = now()`,
      [workspaceId, domains],
    );
  }

  /** Replaces the webhook signing secret (sealed by the caller); returns when it took effect. */
  async replaceWebhookSecret(workspaceId: string, sealedSecret: string): Promise<Date> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO workspace_delivery_settings (workspace_id, sealed_webhook_secret, webhook_secret_rotated_at) VALUES ($1, $2, now())
       ON CONFLICT (workspace_id) DO UPDATE SET sealed_webhook_secret = EXCLUDED.sealed_webhook_secret, webhook_secret_rotated_at = now(), updated_at = now()
       RETURNING webhook_secret_rotated_at AS "rotatedAt"`,
      [workspaceId, sealedSecret],
    )) as Array<{ rotatedAt: Date }>;
    return (row as { rotatedAt: Date }).rotatedAt;
  }
}

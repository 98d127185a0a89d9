import pg from 'pg';
import type { AppConfig } from '@export-service/config';
import { seedAnalytics } from '@export-service/analytics';
import { AccessRepository, CredentialRepository, DataSource, ensureDatabaseExists, openMetadataStore } from '@export-service/db';
import {
  apiKeyHint,
  credentialContext,
  deliverySecretContext,
  generateApiKey,
  hashApiKey,
  isSealedWithCurrentKey,
  openCredentialSecret,
  openSecret,
  sealSecret,
  webhookSecretContext,
  type SecretKeys,
} from '@export-service/security';
import { ROLES, type Role } from '@export-service/contracts';

/** Where a command writes: progress to `info`, the result (a key, a count) alone to `result`. */
export interface CommandOutput {
  info(line: string): void;
  result(line: string): void;
}

async function withMetadata<T>(config: AppConfig, run: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await openMetadataStore({ url: config.database.url, poolSize: 2, applicationName: 'export-cli', migrate: true });
  try {
    return await run(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Creates the workspace and a user when missing and prints a new API key, alone, on the last line. */
export async function createApiKey(config: AppConfig, options: { workspace: string; role: string; name?: string }, out: CommandOutput): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(options.workspace)) throw new Error('--workspace must be 1-64 letters, digits, _ or -');
  if (!ROLES.includes(options.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  const key = generateApiKey();
  await withMetadata(config, (dataSource) =>
    new AccessRepository(dataSource).createUserWithKey({
      workspaceId: options.workspace,
      role: options.role as Role,
      name: options.name ?? `${options.role} key`,
      keyHash: hashApiKey(key),
      hint: apiKeyHint(key),
    }),
  );
  out.info(`Created a ${options.role} key for workspace ${options.workspace} (${apiKeyHint(key)}…). It is shown once:`);
  out.result(key);
}

/** Revokes a key; it answers 401 from then on. */
export async function revokeApiKey(config: AppConfig, options: { key: string }, out: CommandOutput): Promise<void> {
  const isRevoked = await withMetadata(config, (dataSource) => new AccessRepository(dataSource).revokeByHash(hashApiKey(options.key.trim())));
  if (!isRevoked) throw new Error('no active key matches');
  out.result(`revoked ${apiKeyHint(options.key.trim())}…`);
}

/** Fills the analytics tables of a workspace with synthetic rows. */
export async function seed(config: AppConfig, options: { workspace: string; rows: number }, out: CommandOutput): Promise<void> {
  await ensureDatabaseExists(config.database.analyticsUrl);
  const pool = new pg.Pool({ connectionString: config.database.analyticsUrl, max: 2 });
  const started = Date.now();
  try {
    await seedAnalytics(pool, { workspaceId: options.workspace, rows: options.rows, onProgress: (table, rows) => out.info(`${table}: ${rows} rows`) });
  } finally {
    await pool.end();
  }
  out.result(`seeded ${options.rows} user_activity rows (and the other tables in proportion) for ${options.workspace} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Runs pending metadata migrations. */
export async function migrate(config: AppConfig, out: CommandOutput): Promise<void> {
  await withMetadata(config, async () => undefined);
  out.result('migrations are up to date');
}

/**
 * Re-seals every stored secret with the current EXPORT_SECRET_KEY. Rotation: set the new key as
 * EXPORT_SECRET_KEY and the old one in EXPORT_SECRET_KEY_PREVIOUS, run this, then drop the old key.
 */
export async function rotateSecretKey(config: AppConfig, out: CommandOutput): Promise<void> {
  if (config.secrets.isDevelopmentKey)
    throw new Error('EXPORT_SECRET_KEY is not set: rotating onto the public development key would leave every secret readable; set a key of your own (openssl rand -hex 32)');
  const keys = { key: config.secrets.key, previousKeys: config.secrets.previousKeys };
  const counts = await withMetadata(config, async (dataSource) => {
    const credentials = new CredentialRepository(dataSource);
    let credentialCount = 0;
    for (const credential of await credentials.all()) {
      const opened = openCredentialSecret(credential.sealedSecret, keys, credential);
      if (isSealedWithCurrentKey(credential.sealedSecret, keys) && !opened.isLegacy) continue;
      await credentials.replaceSealedSecret(credential.id, sealSecret(opened.secret, keys, credentialContext(credential)));
      credentialCount += 1;
    }
    let passwordCount = 0;
    const pending: Array<{ id: string; sealed_password: string }> = await dataSource.query('SELECT id, sealed_password FROM export_jobs WHERE sealed_password IS NOT NULL');
    for (const job of pending) {
      if (isSealedWithCurrentKey(job.sealed_password, keys)) continue;
      const resealed = sealSecret(openSecret(job.sealed_password, keys, job.id), keys, job.id);
      await dataSource.query('UPDATE export_jobs SET sealed_password = $2 WHERE id = $1 AND sealed_password IS NOT NULL', [job.id, resealed]);
      passwordCount += 1;
    }
    const deliveryCount = await resealDeliverySecrets(dataSource, keys);
    return { credentialCount, passwordCount, deliveryCount };
  });
  out.result(
    `re-sealed ${counts.credentialCount} credential(s), ${counts.passwordCount} pending export password(s) and ${counts.deliveryCount} delivery or webhook secret(s) with the current key`,
  );
}

/** Re-seals the inline secrets of deliveries and the workspaces' webhook secrets with the current key. */
async function resealDeliverySecrets(dataSource: DataSource, keys: SecretKeys): Promise<number> {
  let count = 0;
  const deliveries: Array<{ id: string; workspace_id: string; sealed_secret: string }> = await dataSource.query(
    'SELECT id, workspace_id, sealed_secret FROM deliveries WHERE sealed_secret IS NOT NULL',
  );
  for (const row of deliveries) {
    if (isSealedWithCurrentKey(row.sealed_secret, keys)) continue;
    const context = deliverySecretContext({ id: row.id, workspaceId: row.workspace_id });
    await dataSource.query('UPDATE deliveries SET sealed_secret = $2 WHERE id = $1', [row.id, sealSecret(openSecret(row.sealed_secret, keys, context), keys, context)]);
    count += 1;
  }
  const webhooks: Array<{ workspace_id: string; sealed_webhook_secret: string }> = await dataSource.query(
    'SELECT workspace_id, sealed_webhook_secret FROM workspace_delivery_settings WHERE sealed_webhook_secret IS NOT NULL',
  );
  for (const row of webhooks) {
    if (isSealedWithCurrentKey(row.sealed_webhook_secret, keys)) continue;
    const context = webhookSecretContext(row.workspace_id);
    await dataSource.query('UPDATE workspace_delivery_settings SET sealed_webhook_secret = $2 WHERE workspace_id = $1', [
      row.workspace_id,
      sealSecret(openSecret(row.sealed_webhook_secret, keys, context), keys, context),
    ]);
    count += 1;
  }
  return count;
}

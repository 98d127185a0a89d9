import pg from 'pg';
import type { AppConfig } from '@export-service/config';
import { ensureAnalyticsSchema, hasAnalyticsData, seedAnalytics } from '@export-service/analytics';
import { AccessRepository, ensureDatabaseExists, openMetadataStore } from '@export-service/db';
import type { Logger } from '@export-service/logger';
import { apiKeyHint, generateApiKey, hashApiKey } from '@export-service/security';

/** The workspace `npm start` fills with demo data. */
export const DEMO_WORKSPACE = 'ws_demo';

/**
 * Gets a single machine ready: databases and migrations, analytics tables, demo data when the demo
 * workspace has none, and the demo admin key (DEMO_API_KEY, or a new one). Returns the key.
 */
export async function prepareLocal(config: AppConfig, logger: Logger): Promise<{ apiKey: string; isGenerated: boolean }> {
  const dataSource = await openMetadataStore({ url: config.database.url, poolSize: 2, applicationName: 'export-launcher', migrate: true });
  await ensureDatabaseExists(config.database.analyticsUrl);
  const pool = new pg.Pool({ connectionString: config.database.analyticsUrl, max: 2 });
  try {
    await ensureAnalyticsSchema(pool);
    if (config.demo.seedRows > 0 && !(await hasAnalyticsData(pool, DEMO_WORKSPACE))) {
      logger.info('seeding demo analytics data', { workspace: DEMO_WORKSPACE, rows: config.demo.seedRows });
      await seedAnalytics(pool, { workspaceId: DEMO_WORKSPACE, rows: config.demo.seedRows });
    }
    const access = new AccessRepository(dataSource);
    const apiKey = config.demo.apiKey ?? generateApiKey();
    await access.ensureKey({ workspaceId: DEMO_WORKSPACE, role: 'admin', name: 'demo admin', keyHash: hashApiKey(apiKey), hint: apiKeyHint(apiKey) });
    return { apiKey, isGenerated: config.demo.apiKey === null };
  } finally {
    await pool.end();
    await dataSource.destroy();
  }
}

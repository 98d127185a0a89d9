import pg from 'pg';
import { CATALOG, ensureAnalyticsSchema, seedAnalytics } from '@export-service/analytics';
import { ensureDatabaseExists } from '@export-service/db';
import { BENCH, databaseUrl } from './bench-env';

/** What preparing a workspace did. */
export interface SeedOutcome {
  workspace: string;
  /** user_activity rows of the workspace, soft-deleted ones included. */
  seededRows: number;
  /** Rows an export of the workspace holds (soft-deleted rows are never exported). */
  exportableRows: number;
  /** False when the workspace already had exactly the asked rows. */
  wasSeeded: boolean;
  seedSeconds: number;
}

/** Drops the benchmark's two databases (`--fresh`). */
export async function dropBenchDatabases(): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    for (const name of [BENCH.metaDatabase, BENCH.dataDatabase]) {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

/** Creates the benchmark's databases when missing. */
export async function ensureBenchDatabases(): Promise<void> {
  await ensureDatabaseExists(databaseUrl(BENCH.metaDatabase));
  await ensureDatabaseExists(databaseUrl(BENCH.dataDatabase));
}

async function countRows(pool: pg.Pool, workspace: string, onlyExportable: boolean): Promise<number> {
  const live = onlyExportable ? ' AND deleted_at IS NULL' : '';
  const { rows } = await pool.query<{ count: string }>(`SELECT count(*) AS count FROM user_activity WHERE workspace_id = $1${live}`, [workspace]);
  return Number(rows[0]?.count ?? 0);
}

/**
 * Makes `workspace` hold exactly `rows` user_activity rows (other tables in proportion): nothing to do
 * when it already does, otherwise its old rows are deleted and the seeder writes new ones. A fresh seed
 * is vacuumed so the first reader does not pay for setting hint bits. Every run then reads the rows once
 * (warm cache), so the first measured pipeline is not the one that loads them from disk.
 */
export async function prepareWorkspace(workspace: string, rows: number, log: (line: string) => void): Promise<SeedOutcome> {
  const pool = new pg.Pool({ connectionString: databaseUrl(BENCH.dataDatabase), max: 2 });
  try {
    await ensureAnalyticsSchema(pool);
    const existing = await countRows(pool, workspace, false);
    const started = Date.now();
    const wasSeeded = existing !== rows;
    if (wasSeeded) {
      if (existing > 0) {
        log(`workspace ${workspace} has ${existing} rows, not ${rows}: deleting them`);
        for (const def of Object.values(CATALOG)) await pool.query(`DELETE FROM "${def.table}" WHERE workspace_id = $1`, [workspace]);
      }
      log(`seeding ${rows} user_activity rows into ${workspace} (other tables in proportion)`);
      await seedAnalytics(pool, { workspaceId: workspace, rows, onProgress: (table, done) => log(`  ${table}: ${done} rows`) });
      const tables = Object.values(CATALOG).map((def) => `"${def.table}"`);
      await pool.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
    } else {
      log(`workspace ${workspace} already has ${rows} rows: seed skipped`);
    }
    const seedSeconds = (Date.now() - started) / 1000;
    await pool.query(`SELECT sum(length(t::text)) FROM user_activity AS t WHERE workspace_id = $1`, [workspace]);
    return { workspace, seededRows: rows, exportableRows: await countRows(pool, workspace, true), wasSeeded, seedSeconds };
  } finally {
    await pool.end();
  }
}

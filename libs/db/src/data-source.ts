import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { DeliveryEntity } from './entities/delivery.entity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { ExportFileEntity } from './entities/export-file.entity';
import { ExportJobEntity } from './entities/export-job.entity';
import { UserEntity } from './entities/user.entity';
import { WorkspaceCredentialEntity } from './entities/workspace-credential.entity';
import { WorkspaceEntity } from './entities/workspace.entity';
import { ExportTemplateEntity } from './entities/export-template.entity';
import { ExportScheduleEntity } from './entities/export-schedule.entity';
import { ScheduleRunEntity } from './entities/schedule-run.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { ExportRuns1764100000000 } from './migrations/1764100000000-export-runs';
import { ExportLifecycle1764200000000 } from './migrations/1764200000000-export-lifecycle';
import { Deliveries1764300000000 } from './migrations/1764300000000-deliveries';
import { Schedules1764500000000 } from './migrations/1764500000000-schedules';
import { ViewerRole1764800000000 } from './migrations/1764800000000-viewer-role';
import { AfterExport1764600000000 } from './migrations/1764600000000-after-export';
import { ensureDatabaseExists } from './ensure-database';

/** Every entity of the metadata store. */
export const ENTITIES = [
  WorkspaceEntity,
  UserEntity,
  ApiKeyEntity,
  ExportJobEntity,
  ExportFileEntity,
  AuditLogEntity,
  WorkspaceCredentialEntity,
  ExportTemplateEntity,
  ExportScheduleEntity,
  ScheduleRunEntity,
  DeliveryEntity,
];

/** Checked-in migrations, in order. `synchronize` is never used. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  ExportRuns1764100000000,
  ExportLifecycle1764200000000,
  Deliveries1764300000000,
  Schedules1764500000000,
  AfterExport1764600000000,
  ViewerRole1764800000000,
];

/** Any 64-bit number unique to this service: serialises migrations across processes starting at once. */
const MIGRATION_LOCK = 727_274_001;

/** Options for opening the metadata store. */
export interface OpenDatabaseOptions {
  url: string;
  poolSize: number;
  applicationName: string;
  /** Runs pending migrations (under an advisory lock) before returning. */
  migrate: boolean;
}

/** Opens the metadata database, creating it and running migrations when asked. */
export async function openMetadataStore(options: OpenDatabaseOptions): Promise<DataSource> {
  if (options.migrate) await ensureDatabaseExists(options.url);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
    extra: { max: options.poolSize, application_name: options.applicationName },
  });
  await dataSource.initialize();
  if (options.migrate) await runMigrations(dataSource);
  return dataSource;
}

/** Runs pending migrations; concurrent starters wait on an advisory lock instead of racing. */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DeletionReason, ExportOrigin, ExportSpec, ExportStatus } from '@export-service/contracts';
import { bigintAsNumber } from './columns';

/** One export: its validated spec, lifecycle, progress and outcome. Written only by its repository. */
@Entity({ name: 'export_jobs' })
export class ExportJobEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: ExportStatus;

  @Column({ type: 'jsonb' })
  spec!: ExportSpec;

  @Column({ type: 'jsonb', default: () => `'[]'::jsonb` })
  notes!: string[];

  @Column({ name: 'estimated_rows', type: 'bigint', transformer: bigintAsNumber })
  estimatedRows!: number;

  @Column({ name: 'estimated_size_mb', type: 'double precision' })
  estimatedSizeMb!: number;

  @Column({ name: 'estimated_seconds', type: 'integer' })
  estimatedSeconds!: number;

  @Column({ name: 'total_rows', type: 'bigint', transformer: bigintAsNumber, default: 0 })
  totalRows!: number;

  @Column({ name: 'rows_processed', type: 'bigint', transformer: bigintAsNumber, default: 0 })
  rowsProcessed!: number;

  @Column({ name: 'files_created', type: 'integer', default: 0 })
  filesCreated!: number;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The failure's code (`FailureCode`) beside its sentence. */
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  /** The attempt that owns the job now: set when an attempt starts, checked by every later transition. */
  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  /** scrypt hash of the download password, when the export is password protected. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  /** The file password sealed with EXPORT_SECRET_KEY until the worker has written the files. */
  @Column({ name: 'sealed_password', type: 'text', nullable: true })
  sealedPassword!: string | null;

  /** What created the export; with the template, schedule, batch or source export it came from. */
  @Column({ type: 'text', default: 'api' })
  origin!: ExportOrigin;

  @Column({ name: 'template_id', type: 'text', nullable: true })
  templateId!: string | null;

  @Column({ name: 'schedule_id', type: 'text', nullable: true })
  scheduleId!: string | null;

  @Column({ name: 'batch_id', type: 'text', nullable: true })
  batchId!: string | null;

  /** For conversions: the export whose files were converted. */
  @Column({ name: 'source_job_id', type: 'text', nullable: true })
  sourceJobId!: string | null;

  /** When the files stop being served and the maintenance job deletes them. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** Set when the files were deleted (the row stays; downloads answer 410). */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'deletion_reason', type: 'text', nullable: true })
  deletionReason!: DeletionReason | null;

  /** Set once storage has let go of every file of a deleted export (a failed removal is retried until then). */
  @Column({ name: 'files_purged_at', type: 'timestamptz', nullable: true })
  filesPurgedAt!: Date | null;

  /** Set when the export was cancelled (status `cancelled`). */
  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  /** Name of the analytics database the rows were read from (no host, no credentials). */
  @Column({ name: 'source_database', type: 'text', nullable: true })
  sourceDatabase!: string | null;

  /** A conversion's source password, sealed to this job until its worker has read the source files. */
  @Column({ name: 'sealed_source_password', type: 'text', nullable: true })
  sealedSourcePassword!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

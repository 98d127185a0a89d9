import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ExportSpec, ExportStatus } from '@export-service/contracts';
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

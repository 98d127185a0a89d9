import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Compression, DataSourceType, ExportFormat } from '@export-service/contracts';
import { bigintAsNumber } from './columns';

/** A file of a completed export, in download order (the manifest last). */
@Entity({ name: 'export_files' })
export class ExportFileEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'job_id', type: 'text' })
  jobId!: string;

  @Column({ name: 'file_index', type: 'integer' })
  fileIndex!: number;

  @Column({ type: 'text' })
  filename!: string;

  @Column({ name: 'storage_key', type: 'text' })
  storageKey!: string;

  @Column({ name: 'data_source', type: 'text', nullable: true })
  dataSource!: DataSourceType | null;

  @Column({ type: 'text', nullable: true })
  period!: string | null;

  @Column({ type: 'integer', nullable: true })
  part!: number | null;

  @Column({ type: 'text' })
  format!: ExportFormat | 'manifest';

  @Column({ type: 'text' })
  compression!: Compression;

  @Column({ type: 'boolean' })
  encrypted!: boolean;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  rows!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  bytes!: number;

  @Column({ type: 'text' })
  sha256!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

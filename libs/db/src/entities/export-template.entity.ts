import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ExportRequest } from '@export-service/contracts';
import { bigintAsNumber } from './columns';

/** A template's export configuration: the create body without a name (and without its password, which is sealed apart). */
export type TemplateConfiguration = Omit<ExportRequest, 'name'>;

/** A saved export configuration of a workspace. Written only by its repository. */
@Entity({ name: 'export_templates' })
export class ExportTemplateEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'jsonb' })
  configuration!: TemplateConfiguration;

  /** `encryption.password` of the configuration, sealed with EXPORT_SECRET_KEY (bound to the template id); never returned. */
  @Column({ name: 'sealed_password', type: 'text', nullable: true })
  sealedPassword!: string | null;

  /** Public templates are seen by the whole workspace; private ones by their creator and admins. */
  @Column({ name: 'is_public', type: 'boolean', default: false })
  isPublic!: boolean;

  @Column({ name: 'estimated_rows', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  estimatedRows!: number | null;

  @Column({ name: 'estimated_size_mb', type: 'double precision', nullable: true })
  estimatedSizeMb!: number | null;

  /** When the estimate was taken (it is taken again once it is older than TEMPLATE_ESTIMATE_MAX_AGE_SECONDS). */
  @Column({ name: 'estimated_at', type: 'timestamptz', nullable: true })
  estimatedAt!: Date | null;

  /** When an export was last made from the template (set by the export's creation). */
  @Column({ name: 'last_used', type: 'timestamptz', nullable: true })
  lastUsed!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

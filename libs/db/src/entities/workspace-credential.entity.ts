import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Kinds of stored credentials (used by delivery targets). */
export const CREDENTIAL_KINDS = ['s3', 'sftp', 'ftp', 'smtp', 'webhook'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** A workspace's credentials for a delivery target: public settings in clear, secrets sealed. */
@Entity({ name: 'workspace_credentials' })
export class WorkspaceCredentialEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: CredentialKind;

  /** Non-secret settings (host, bucket, username). */
  @Column({ name: 'public_config', type: 'jsonb' })
  publicConfig!: Record<string, string | number | boolean>;

  /** The secrets as JSON, sealed with AES-256-GCM under EXPORT_SECRET_KEY. */
  @Column({ name: 'sealed_secret', type: 'text' })
  sealedSecret!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DeliveryEvent, DeliveryMethod, DeliveryState, DeliveryTarget } from '@export-service/contracts';

/** One target of one export: its public settings, sealed secrets, lifecycle and outcome. Written only by its repository. */
@Entity({ name: 'deliveries' })
export class DeliveryEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'job_id', type: 'text' })
  jobId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  /** The target's index in the export's delivery list, as status shows it and the retry URL names it. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  method!: DeliveryMethod;

  /** Public settings only (host, bucket, recipients); never a secret. */
  @Column({ type: 'jsonb' })
  target!: DeliveryTarget;

  /** Inline secrets of the request, sealed to this row (`delivery:<workspace>:<id>`). */
  @Column({ name: 'sealed_secret', type: 'text', nullable: true })
  sealedSecret!: string | null;

  /** A stored credential whose secrets are opened at delivery time. */
  @Column({ name: 'credential_id', type: 'uuid', nullable: true })
  credentialId!: string | null;

  @Column({ type: 'text' })
  status!: DeliveryState;

  /** Set when queued: what the delivery reports (files of a completed export, or a failure for webhooks). */
  @Column({ type: 'text', nullable: true })
  event!: DeliveryEvent | null;

  /** Bumped by each retry through the API; names the BullMQ job (`<id>-<round>`). */
  @Column({ type: 'integer', default: 0 })
  round!: number;

  /** Attempts of the current round. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The attempt that owns the delivery now (fencing token): set when an attempt starts, checked by its outcome. */
  @Column({ name: 'attempt_token', type: 'uuid', nullable: true })
  attemptToken!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_error_code', type: 'text', nullable: true })
  lastErrorCode!: string | null;

  /** Where the files went (`s3://bucket/prefix/`, `sftp://user@host:22/dir/`, the recipients...). */
  @Column({ type: 'text', nullable: true })
  location!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'queued_at', type: 'timestamptz', nullable: true })
  queuedAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

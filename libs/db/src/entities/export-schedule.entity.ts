import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DeliveryMethod, ScheduleFrequency, ScheduleTiming } from '@export-service/contracts';

/** A schedule: when a template runs, where its exports go and how long they are kept. Written only by its repository. */
@Entity({ name: 'export_schedules' })
export class ExportScheduleEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  /** Owner of the schedule's exports. */
  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ name: 'template_id', type: 'text' })
  templateId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  frequency!: ScheduleFrequency;

  /** The fields of the frequency (`time`, `day_of_week`, `cron`...), without the zone. */
  @Column({ type: 'jsonb' })
  timing!: Omit<ScheduleTiming, 'timezone'>;

  @Column({ type: 'text', default: 'UTC' })
  timezone!: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  /** The period the schedule fires for next; null while paused. */
  @Column({ name: 'next_run', type: 'timestamptz', nullable: true })
  nextRun!: Date | null;

  @Column({ name: 'keep_exports_days', type: 'integer', nullable: true })
  keepExportsDays!: number | null;

  @Column({ name: 'auto_cleanup', type: 'boolean', default: false })
  autoCleanup!: boolean;

  @Column({ name: 'delivery_method', type: 'text', default: 'download' })
  deliveryMethod!: DeliveryMethod;

  @Column({ name: 'auto_delete_after_days', type: 'integer', nullable: true })
  autoDeleteAfterDays!: number | null;

  /** Bumped by every change. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ScheduleRunState, ScheduleRunTrigger } from '@export-service/contracts';

/** One run of a schedule: a period (or a manual run) and the export made for it. Written only by its repository. */
@Entity({ name: 'schedule_runs' })
export class ScheduleRunEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'schedule_id', type: 'text' })
  scheduleId!: string;

  /** Unique per schedule: the period's instant (ISO), or `manual:<run id>` for a run asked for by hand. */
  @Column({ name: 'period_key', type: 'text' })
  periodKey!: string;

  /** The period's firing instant; relative date ranges are read at it. */
  @Column({ name: 'period_at', type: 'timestamptz' })
  periodAt!: Date;

  @Column({ type: 'text' })
  trigger!: ScheduleRunTrigger;

  @Column({ type: 'text' })
  status!: ScheduleRunState;

  /** Chosen with the row, so the export is created once whoever creates it. */
  @Column({ name: 'export_job_id', type: 'text' })
  exportJobId!: string;

  /** The time range the run's incremental (`since_last_run`) sources covered, or its resolved date range. */
  @Column({ name: 'covered_from', type: 'timestamptz', nullable: true })
  coveredFrom!: Date | null;

  @Column({ name: 'covered_to', type: 'timestamptz', nullable: true })
  coveredTo!: Date | null;

  /** For a catch-up after downtime: the periods skipped before it (they are not run one by one). */
  @Column({ name: 'missed_periods', type: 'integer', default: 0 })
  missedPeriods!: number;

  /** Times the export's creation was tried (waits for the quota or an earlier run count). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;
}

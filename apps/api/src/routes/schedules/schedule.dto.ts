import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import {
  DAYS_OF_WEEK,
  DELIVERY_METHODS,
  MAX_EXPORT_TTL_DAYS,
  SCHEDULE_FREQUENCIES,
  type DayOfWeek,
  type DeliveryMethod,
  type ScheduleFrequency,
  type ScheduleTiming,
} from '@export-service/contracts';
import { IsOmittable } from '../dto-rules';
import { TEMPLATE_ID } from '../exports/export.dto';

const list = (values: readonly string[]) => ({ message: `$property must be one of ${values.join(', ')}` });

/** When a schedule fires; which fields apply depends on the frequency. */
export class ScheduleTimingDto implements ScheduleTiming {
  /** `HH:MM` on the schedule's clock (daily, weekly, monthly); 00:00 by default. */
  @IsOmittable() @IsString() @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: '$property must be a time of day HH:MM, from 00:00 to 23:59' }) time?: string;
  /** Minute past each hour (hourly); 0 by default. */
  @IsOmittable() @IsInt() @Min(0) @Max(59) minute?: number;
  @IsOmittable() @IsIn(DAYS_OF_WEEK, list(DAYS_OF_WEEK)) day_of_week?: DayOfWeek;
  /** 1-31 (monthly); 29-31 mean the last day of shorter months. */
  @IsOmittable() @IsInt() @Min(1) @Max(31) day_of_month?: number;
  /** Five fields: minute hour day-of-month month day-of-week (frequency `cron`). */
  @IsOmittable() @IsString() @MaxLength(120) cron?: string;
  /** Seconds between firings (frequency `every_seconds`, tests and benchmarks only; refused in production). */
  @IsOmittable() @IsInt() @Min(1) @Max(86_400) every_seconds?: number;
  /** IANA time zone; UTC by default. DST-exact: a skipped time runs at the end of the gap, a repeated one once. */
  @IsOmittable() @IsString() @MaxLength(64) timezone?: string;
}

/** How long a schedule's exports are kept. */
export class RetentionDto {
  /** Exports older than this are deleted by the daily retention job when `auto_cleanup` is true. */
  @IsOmittable() @IsInt() @Min(1) @Max(MAX_EXPORT_TTL_DAYS) keep_exports_days?: number;
  @IsOmittable() @IsBoolean() auto_cleanup?: boolean;
}

/** Where a schedule's exports go. */
export class ScheduleDeliveryDto {
  @IsOmittable() @IsIn(DELIVERY_METHODS, list(DELIVERY_METHODS)) method?: DeliveryMethod;
  /** Days after an export completes that the retention job deletes it. */
  @IsOmittable() @IsInt() @Min(1) @Max(MAX_EXPORT_TTL_DAYS) auto_delete_after_days?: number;
}

/** The fields a schedule has beyond its template and name (shared by the create body and a template's `schedule` block). */
class ScheduleOptionsDto {
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => RetentionDto) retention?: RetentionDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => ScheduleDeliveryDto) delivery?: ScheduleDeliveryDto;
}

/** POST /api/v1/export/scheduled */
export class CreateScheduleDto extends ScheduleOptionsDto {
  @IsDefined() @IsString() @Length(1, 200) name!: string;
  @IsDefined() @IsString() @Matches(TEMPLATE_ID, { message: '$property must be a template id (tpl_...)' }) template_id!: string;
  @IsDefined() @IsIn(SCHEDULE_FREQUENCIES, list(SCHEDULE_FREQUENCIES)) frequency!: ScheduleFrequency;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => ScheduleTimingDto) schedule?: ScheduleTimingDto;
  /** False creates it paused. */
  @IsOmittable() @IsBoolean() is_active?: boolean;
}

/** PATCH /api/v1/export/scheduled/{id}: any of the create fields; `schedule` replaces the timing whole when given. */
export class UpdateScheduleDto extends ScheduleOptionsDto {
  @IsOmittable() @IsString() @Length(1, 200) name?: string;
  @IsOmittable() @IsString() @Matches(TEMPLATE_ID, { message: '$property must be a template id (tpl_...)' }) template_id?: string;
  @IsOmittable() @IsIn(SCHEDULE_FREQUENCIES, list(SCHEDULE_FREQUENCIES)) frequency?: ScheduleFrequency;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => ScheduleTimingDto) schedule?: ScheduleTimingDto;
  @IsOmittable() @IsBoolean() is_active?: boolean;
}

/** A template's `schedule` block: the timing fields with the frequency beside them, as the spec writes it. */
export class TemplateScheduleDto extends ScheduleTimingDto {
  /** False creates the schedule paused. */
  @IsDefined() @IsBoolean() enabled!: boolean;
  @IsDefined() @IsIn(SCHEDULE_FREQUENCIES, list(SCHEDULE_FREQUENCIES)) frequency!: ScheduleFrequency;
  /** The schedule's name; the template's by default. */
  @IsOmittable() @IsString() @Length(1, 200) name?: string;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => RetentionDto) retention?: RetentionDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => ScheduleDeliveryDto) delivery?: ScheduleDeliveryDto;
}

/** POST /api/v1/export/scheduled/{id}/backfill: dates (in the schedule's zone; the end day included) or instants. */
export class BackfillDto {
  @IsDefined() @IsString() @MaxLength(40) start!: string;
  @IsDefined() @IsString() @MaxLength(40) end!: string;
}

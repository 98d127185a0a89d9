import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsObject, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { IsOmittable } from '../dto-rules';
import { ExportConfigurationDto } from '../exports/export.dto';
import { TemplateScheduleDto } from '../schedules/schedule.dto';

/** PUT /api/v1/export/templates/{id}: the whole template (its schedule is changed through /export/scheduled). */
export class TemplateDto {
  @IsDefined() @IsString() @Length(1, 200) name!: string;
  @IsOmittable() @IsString() @MaxLength(2_000) description?: string;
  /** The export configuration, checked exactly as export/create checks it (without `name`). */
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ExportConfigurationDto) configuration!: ExportConfigurationDto;
  /** Public templates are seen by the whole workspace; private ones (the default) by their creator and admins. */
  @IsOmittable() @IsBoolean() is_public?: boolean;
}

/** POST /api/v1/export/templates: a template, and optionally the schedule that runs it (admins). */
export class CreateTemplateDto extends TemplateDto {
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => TemplateScheduleDto) schedule?: TemplateScheduleDto;
}

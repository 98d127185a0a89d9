import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { EachIsObject, IsOmittable } from '../dto-rules';
import { DeliveryDto } from './delivery.dto';
import { FiltersDto } from './filters.dto';
import {
  AGGREGATIONS,
  COMPRESSIONS,
  DATA_SOURCE_TYPES,
  ENCRYPTION_METHODS,
  EXPORT_FORMATS,
  MAX_EXPORT_TTL_DAYS,
  PARQUET_COMPRESSIONS,
  SPLIT_BY,
  type Aggregation,
  type Compression,
  type DataSourceRequest,
  type ExportRequest,
  type DataSourceType,
  type EncryptionMethod,
  type ExportFormat,
  type ParquetCompression,
  type SplitBy,
} from '@export-service/contracts';

/** Template ids: `tpl_` and 32 hex digits. */
export const TEMPLATE_ID = /^tpl_[0-9a-f]{32}$/;

const list = (values: readonly string[]) => ({ message: `$property must be one of ${values.join(', ')}` });
/** Free-text list items are short identifiers; their exact shape is checked against the catalog. */
const ITEM = { each: true, message: '$property must hold strings' } as const;

/** One table to export. */
export class DataSourceDto implements DataSourceRequest {
  @IsDefined() @IsIn(DATA_SOURCE_TYPES, list(DATA_SOURCE_TYPES)) type!: DataSourceType;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => FiltersDto) filters?: FiltersDto;
  /** Columns in output order; all columns when omitted. */
  @IsOmittable() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @IsString(ITEM) @MaxLength(64, { each: true }) fields?: string[];
  /** Rolls rows up per period (sources that offer it). */
  @IsOmittable() @IsIn(AGGREGATIONS, list(AGGREGATIONS)) aggregation?: Aggregation;
}

/** Cutting each source into several files. */
export class SplitFilesDto {
  @IsDefined() @IsBoolean() enabled!: boolean;
  /** Caps every file (its final, compressed bytes; 1 MB = 1,000,000 bytes). */
  @IsOmittable() @IsInt() @Min(1) @Max(10_240) max_size_mb?: number;
  /** `month` and `week` (ISO, UTC) cut by period; `size` by `max_size_mb` only. */
  @IsOmittable() @IsIn(SPLIT_BY, list(SPLIT_BY)) split_by?: SplitBy;
}

/** File encryption and the download password. */
export class EncryptionDto {
  @IsDefined() @IsBoolean() enabled!: boolean;
  @IsOmittable() @IsIn(ENCRYPTION_METHODS, list(ENCRYPTION_METHODS)) method?: EncryptionMethod;
  /** Downloads then need the password in `X-Export-Password`. */
  @IsOmittable() @IsBoolean() password_protected?: boolean;
  /** Your password (12+ characters, mixed); one is generated and returned once when omitted. */
  @IsOmittable() @IsString() @MaxLength(256) password?: string;
}

/** Format-specific options. */
export class ExportOptionsDto {
  @IsOmittable() @IsIn(PARQUET_COMPRESSIONS, list(PARQUET_COMPRESSIONS)) parquet_compression?: ParquetCompression;
  /** CSV only: put `'` before text that starts with `= + - @` (or a tab or CR), so spreadsheets do not run it as a formula. Off by default. */
  @IsOmittable() @IsBoolean() csv_formula_guard?: boolean;
  /** JSON only: each object indented over several lines. */
  @IsOmittable() @IsBoolean() json_pretty?: boolean;
  /** Excel only: one workbook with one sheet per data source (cannot be split). */
  @IsOmittable() @IsBoolean() excel_sheets?: boolean;
}

/**
 * Required unless the body names a template (`template_id`, export/create only), whose configuration
 * then supplies it; a value that is given is always checked.
 */
function IsRequiredUnlessTemplate(): PropertyDecorator {
  return ValidateIf((body: { template_id?: unknown }, value: unknown) => value !== undefined || body.template_id === undefined);
}

/**
 * An export configuration without its name: what a template stores, and (with `name`) the body of
 * export/create. One definition, so a template is validated exactly as a create is.
 */
export class ExportConfigurationDto implements Omit<ExportRequest, 'name'> {
  @IsRequiredUnlessTemplate()
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @EachIsObject()
  @ValidateNested({ each: true })
  @Type(() => DataSourceDto)
  data_sources!: DataSourceDto[];
  @IsRequiredUnlessTemplate() @IsDefined() @IsIn(EXPORT_FORMATS, list(EXPORT_FORMATS)) format!: ExportFormat;
  /** `none` by default; `zip` by default when encryption is enabled. */
  @IsOmittable() @IsIn(COMPRESSIONS, list(COMPRESSIONS)) compression?: Compression;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => SplitFilesDto) split_files?: SplitFilesDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => DeliveryDto) delivery?: DeliveryDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => EncryptionDto) encryption?: EncryptionDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => ExportOptionsDto) options?: ExportOptionsDto;
  /** Days the files are kept; they expire then (downloads answer 410) and are deleted. EXPORT_TTL_DAYS by default; extendable. */
  @IsOmittable() @IsInt() @Min(1) @Max(MAX_EXPORT_TTL_DAYS) ttl_days?: number;
}

/**
 * POST /api/v1/export/create. With `template_id`, the template's configuration is the base and every
 * top-level field given here replaces the template's whole (see `requestFromTemplate`); `name`
 * defaults to the template's name.
 */
export class ExportConfigDto extends ExportConfigurationDto implements ExportRequest {
  @IsRequiredUnlessTemplate() @IsDefined() @IsString() @Length(1, 200) name!: string;
  /** A template of your workspace that you may see; its configuration fills what the body leaves out. */
  @IsOmittable() @IsString() @Matches(TEMPLATE_ID, { message: '$property must be a template id (tpl_...)' }) template_id?: string;
}

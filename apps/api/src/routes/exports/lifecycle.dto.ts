import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import {
  COMPRESSIONS,
  EXPORT_FORMATS,
  MAX_EXPORT_TTL_DAYS,
  PARQUET_COMPRESSIONS,
  type Compression,
  type ConvertRequest,
  type ExportFormat,
  type ParquetCompression,
} from '@export-service/contracts';
import { IsOmittable } from '../dto-rules';
import { EncryptionDto, SplitFilesDto } from './export.dto';

const list = (values: readonly string[]) => ({ message: `$property must be one of ${values.join(', ')}` });
const JOB_ID = { message: '$property must be an export id (job_ followed by 32 hex digits)' };
const JOB_ID_PATTERN = /^job_[0-9a-f]{32}$/;

/** Options of the converted files. */
export class ConvertOptionsDto {
  /** Excel: one workbook with one sheet per data source. */
  @IsOmittable() @IsBoolean() excel_sheets?: boolean;
  /** JSON: each object indented over several lines. */
  @IsOmittable() @IsBoolean() json_pretty?: boolean;
  @IsOmittable() @IsIn(PARQUET_COMPRESSIONS, list(PARQUET_COMPRESSIONS)) parquet_compression?: ParquetCompression;
}

/** POST /api/v1/export/convert */
export class ConvertDto implements ConvertRequest {
  @IsDefined() @IsString() @Matches(JOB_ID_PATTERN, JOB_ID) source_job_id!: string;
  @IsDefined() @IsIn(EXPORT_FORMATS, list(EXPORT_FORMATS)) target_format!: ExportFormat;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => ConvertOptionsDto) options?: ConvertOptionsDto;
  @IsOmittable() @IsString() @Length(1, 200) name?: string;
  @IsOmittable() @IsIn(COMPRESSIONS, list(COMPRESSIONS)) compression?: Compression;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => SplitFilesDto) split_files?: SplitFilesDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => EncryptionDto) encryption?: EncryptionDto;
  /** The source export's password when its files are encrypted (or send X-Export-Password). */
  @IsOmittable() @IsString() @MaxLength(256) password?: string;
  @IsOmittable() @IsInt() @Min(1) @Max(MAX_EXPORT_TTL_DAYS) ttl_days?: number;
}

/** Validation types: `checksum` (SHA-256 from storage), `schema` (plus each file's header), `full` (plus every row parsed and counted). */
export const VALIDATION_TYPES = ['checksum', 'schema', 'full'] as const;

/** POST /api/v1/export/validate */
export class ValidateDto {
  @IsDefined() @IsString() @Matches(JOB_ID_PATTERN, JOB_ID) job_id!: string;
  @IsDefined() @IsIn(VALIDATION_TYPES, list(VALIDATION_TYPES)) validation_type!: (typeof VALIDATION_TYPES)[number];
  /** Parsed rows to return, from the first files. */
  @IsOmittable() @IsInt() @Min(0) @Max(1_000) sample_rows?: number;
  /** The export's password, for schema and full validation of encrypted files (or send X-Export-Password). */
  @IsOmittable() @IsString() @MaxLength(256) password?: string;
}

/** POST /api/v1/export/{job_id}/extend */
export class ExtendDto {
  /** Days to add to the expiry (counted from now when it has passed). */
  @IsDefined() @IsInt() @Min(1) @Max(MAX_EXPORT_TTL_DAYS) days!: number;
}

/** POST /api/v1/export/cleanup */
export class CleanupDto {
  /** Exports created more than this many days ago go. */
  @IsDefined() @IsInt() @Min(0) @Max(36_500) older_than_days!: number;
  /** Keep exports a schedule produced (their schedule's retention handles them). True by default. */
  @IsOmittable() @IsBoolean() keep_scheduled?: boolean;
  /** List what would go and change nothing. */
  @IsOmittable() @IsBoolean() dry_run?: boolean;
}

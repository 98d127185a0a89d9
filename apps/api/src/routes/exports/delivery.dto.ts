import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsEmail, IsIn, IsInt, IsObject, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import {
  DELIVERY_METHODS,
  FTP_TLS_MODES,
  type DeliveryMethod,
  type DeliveryRequest,
  type DeliveryTargetRequest,
  type FtpConfigRequest,
  type FtpTlsMode,
  type S3ConfigRequest,
  type SftpConfigRequest,
} from '@export-service/contracts';
import { EachIsObject, IsOmittable } from '../dto-rules';

const list = (values: readonly string[]) => ({ message: `$property must be one of ${values.join(', ')}` });
const NO_CONTROL = /^[^\u0000-\u001f]*$/;

/** S3 destination: the bucket, a key prefix and the keys (inline, sealed at once, or a stored credential). */
export class S3ConfigDto implements S3ConfigRequest {
  @IsOmittable() @IsString() @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: '$property must be a valid S3 bucket name' }) bucket?: string;
  /** Key prefix: relative, no `..` segments, no backslashes or control characters. */
  @IsOmittable()
  @IsString()
  @MaxLength(512)
  @Matches(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\\\u0000-\u001f]*$/, { message: '$property must be a relative key prefix without ".." segments' })
  prefix?: string;
  @IsOmittable() @IsString() @Matches(/^[a-z0-9-]{2,32}$/, { message: '$property must be a region name such as eu-west-1' }) region?: string;
  /** S3-compatible endpoint (MinIO, Ceph...); AWS when omitted. */
  @IsOmittable() @IsString() @MaxLength(512) endpoint?: string;
  @IsOmittable() @IsBoolean() force_path_style?: boolean;
  /** A stored credential of kind s3 (GET /api/v1/credentials). */
  @IsOmittable() @IsString() credential_id?: string;
  @IsOmittable() @IsString() @MaxLength(256) access_key_id?: string;
  @IsOmittable() @IsString() @MaxLength(1024) secret_access_key?: string;
  @IsOmittable() @IsString() @MaxLength(4096) session_token?: string;
}

/** Settings shared by SFTP and FTP destinations. */
class RemoteHostDto {
  @IsOmittable() @IsString() @MaxLength(253) host?: string;
  @IsOmittable() @IsInt() @Min(1) @Max(65_535) port?: number;
  @IsOmittable() @IsString() @MaxLength(128) @Matches(NO_CONTROL, { message: '$property must not hold control characters' }) username?: string;
  /** Directory on the server; created when missing. */
  @IsOmittable() @IsString() @MaxLength(1024) remote_dir?: string;
  @IsOmittable() @IsString() credential_id?: string;
  @IsOmittable() @IsString() @MaxLength(1024) password?: string;
}

/** SFTP destination; the host key is pinned. */
export class SftpConfigDto extends RemoteHostDto implements SftpConfigRequest {
  /** `SHA256:<base64>` as `ssh-keygen -l` prints it; a server presenting another key gets nothing. */
  @IsOmittable() @IsString() @MaxLength(64) host_key_sha256?: string;
  @IsOmittable() @IsString() @MaxLength(16_384) private_key?: string;
  @IsOmittable() @IsString() @MaxLength(1024) passphrase?: string;
}

/** FTP or FTPS destination. */
export class FtpConfigDto extends RemoteHostDto implements FtpConfigRequest {
  /** `explicit` (AUTH TLS, the default), `implicit` or `none` (the password then travels in clear). */
  @IsOmittable() @IsIn(FTP_TLS_MODES, list(FTP_TLS_MODES)) tls?: FtpTlsMode;
  /** PEM certificate(s) to trust for FTPS (a private CA or a self-signed server). */
  @IsOmittable() @IsString() @MaxLength(16_384) ca_certificate?: string;
}

/** One place the files go. */
export class DeliveryTargetDto implements DeliveryTargetRequest {
  @IsDefined() @IsIn(DELIVERY_METHODS, list(DELIVERY_METHODS)) method!: DeliveryMethod;
  @IsOmittable() @IsArray() @ArrayMaxSize(50) @IsEmail({}, { each: true }) email_recipients?: string[];
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => S3ConfigDto) s3_config?: S3ConfigDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => SftpConfigDto) sftp_config?: SftpConfigDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => FtpConfigDto) ftp_config?: FtpConfigDto;
  /** http(s) URL that gets a signed JSON POST when the export completes or fails. */
  @IsOmittable() @IsString() @MaxLength(2048) webhook_url?: string;
}

/** Where the files go: the spec's single `method` form, or several `targets`; `webhook_url` beside either adds a webhook notice. */
export class DeliveryDto implements DeliveryRequest {
  @IsOmittable() @IsIn(DELIVERY_METHODS, list(DELIVERY_METHODS)) method?: DeliveryMethod;
  @IsOmittable() @IsArray() @ArrayMaxSize(50) @IsEmail({}, { each: true }) email_recipients?: string[];
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => S3ConfigDto) s3_config?: S3ConfigDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => SftpConfigDto) sftp_config?: SftpConfigDto;
  @IsOmittable() @IsObject() @ValidateNested() @Type(() => FtpConfigDto) ftp_config?: FtpConfigDto;
  @IsOmittable() @IsString() @MaxLength(2048) webhook_url?: string;
  @IsOmittable() @IsArray() @ArrayMaxSize(10) @EachIsObject() @ValidateNested({ each: true }) @Type(() => DeliveryTargetDto) targets?: DeliveryTargetDto[];
}

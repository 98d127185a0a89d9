import { IsDefined, IsIn, IsObject, IsString, Matches } from 'class-validator';
import { IsOmittable } from '../dto-rules';
import { CREDENTIAL_KINDS, type CredentialKind } from '@export-service/db';

/** POST /api/v1/credentials: settings for a delivery target; `secret` is sealed and never returned. */
export class CredentialDto {
  /** Short unique name, referenced by delivery settings. */
  @IsDefined() @IsString() @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: '$property must be 1-64 lower-case letters, digits, _ or -' }) name!: string;
  @IsDefined() @IsIn(CREDENTIAL_KINDS, { message: `$property must be one of ${CREDENTIAL_KINDS.join(', ')}` }) kind!: CredentialKind;
  /** Non-secret settings: host, port, bucket, username... */
  @IsOmittable() @IsObject() config?: Record<string, unknown>;
  /** Secret settings: password, secret_access_key, private_key... */
  @IsDefined() @IsObject() secret!: Record<string, unknown>;
}

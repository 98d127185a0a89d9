import type { DeliveryMethod } from './export-options';

/** S3 destination as a request names it; `access_key_id`/`secret_access_key` are sealed before they are stored. */
export interface S3ConfigRequest {
  bucket?: string;
  prefix?: string;
  region?: string;
  /** Any S3-compatible endpoint (MinIO, Ceph...); AWS when omitted. */
  endpoint?: string;
  force_path_style?: boolean;
  /** A stored credential of kind `s3` (`/api/v1/credentials`) holding the keys. */
  credential_id?: string;
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
}

/** SFTP destination; `password`, `private_key` and `passphrase` are sealed before they are stored. */
export interface SftpConfigRequest {
  host?: string;
  port?: number;
  username?: string;
  remote_dir?: string;
  /** The server's host key fingerprint, `SHA256:<base64>` as `ssh-keygen -l` prints it. */
  host_key_sha256?: string;
  credential_id?: string;
  password?: string;
  private_key?: string;
  passphrase?: string;
}

/** How an FTP connection is protected. */
export const FTP_TLS_MODES = ['none', 'explicit', 'implicit'] as const;
export type FtpTlsMode = (typeof FTP_TLS_MODES)[number];

/** FTP or FTPS destination; `password` is sealed before it is stored. */
export interface FtpConfigRequest {
  host?: string;
  port?: number;
  username?: string;
  remote_dir?: string;
  /** `explicit` (AUTH TLS) and `implicit` are FTPS; `none` sends the password in clear. */
  tls?: FtpTlsMode;
  /** PEM certificate(s) to trust for FTPS besides the system's (a private CA or a self-signed server). */
  ca_certificate?: string;
  credential_id?: string;
  password?: string;
}

/** One delivery target of a request. */
export interface DeliveryTargetRequest {
  method: DeliveryMethod;
  email_recipients?: string[];
  s3_config?: S3ConfigRequest;
  sftp_config?: SftpConfigRequest;
  ftp_config?: FtpConfigRequest;
  webhook_url?: string;
}

/**
 * The `delivery` block: the spec's single form (`method` with its settings) or `targets: [...]`;
 * `webhook_url` beside either adds a webhook notification.
 */
export interface DeliveryRequest extends Partial<DeliveryTargetRequest> {
  targets?: DeliveryTargetRequest[];
}

/** Public settings of each kind of target, as stored on the delivery row and shown in status (no secrets). */
export interface DeliveryTargets {
  download: { method: 'download' };
  email: { method: 'email'; recipients: string[] };
  s3: { method: 's3'; bucket: string; prefix: string; region: string; endpoint: string | null; forcePathStyle: boolean; credentialId: string | null };
  sftp: { method: 'sftp'; host: string; port: number; username: string; remoteDir: string; hostKeySha256: string; credentialId: string | null };
  ftp: { method: 'ftp'; host: string; port: number; username: string; remoteDir: string; tls: FtpTlsMode; caCertificate: string | null; credentialId: string | null };
  webhook: { method: 'webhook'; url: string };
}

/** The public settings of one target. */
export type DeliveryTarget = DeliveryTargets[DeliveryMethod];

/** Secrets of a target, sealed at rest (inline ones on the delivery row, or a stored credential's). */
export interface DeliverySecret {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
}

/**
 * A delivery's lifecycle: `pending` until its export finishes, `queued` for the deliveries queue,
 * `delivering` while an attempt runs, then `delivered`, `failed` (retryable by the API) or `skipped`
 * (its export failed and the target only takes files). Values persist in PostgreSQL.
 */
export const DELIVERY_STATES = ['pending', 'queued', 'delivering', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** What a delivery reports: the export's files arrived, or (webhooks) that the export failed. */
export type DeliveryEvent = 'export.completed' | 'export.failed';

import type { Readable } from 'node:stream';
import type { DeliveryEvent, DeliveryMethod, DeliverySecret, DeliveryTargets } from '@export-service/contracts';

/** One file of a completed export as a delivery sends it: facts from the job row, bytes streamed from the store. */
export interface DeliveryFile {
  index: number;
  filename: string;
  kind: 'data' | 'manifest';
  rows: number;
  bytes: number;
  /** Lower-case hex SHA-256 of the bytes as stored. */
  sha256: string;
  /** Opens the stored bytes as a stream (never buffered whole). */
  open(): Promise<Readable>;
  /** A signed, expiring link that downloads this file without an API key. */
  downloadUrl(): string;
}

/** What one delivery attempt sends to one target. */
export interface DeliveryRequest<M extends DeliveryMethod = DeliveryMethod> {
  deliveryId: string;
  jobId: string;
  workspaceId: string;
  exportName: string;
  event: DeliveryEvent;
  /** Data files first, `manifest.json` last; empty when the export failed. */
  files: DeliveryFile[];
  totalRows: number;
  /** The export's failure, for `export.failed`. */
  failure: { code: string | null; message: string } | null;
  /** Status URL of the export (for messages). */
  statusUrl: string;
  target: DeliveryTargets[M];
  /** Secrets, opened in memory for this attempt only. */
  secret: DeliverySecret;
  /** The webhook signing secret of the workspace (webhooks only). */
  webhookSecret: string | null;
  signal: AbortSignal;
}

/** What a delivered target reports. */
export interface DeliveryResult {
  /** Where the files went, without secrets (`s3://bucket/prefix/`, `sftp://user@host:22/dir/`, recipients...). */
  location: string;
}

/**
 * A place export files are delivered to (email, S3, SFTP, FTP, webhook, or the download itself).
 * `deliver` sends everything or throws; it must be safe to run again after a failure (a retry
 * overwrites what an earlier attempt left, so every file arrives exactly once).
 */
export interface DeliveryTarget<M extends DeliveryMethod = DeliveryMethod> {
  deliver(request: DeliveryRequest<M>): Promise<DeliveryResult>;
}

/** One target per method; a method without one fails to compile. */
export type DeliveryTargetRegistry = { [M in DeliveryMethod]: DeliveryTarget<M> };

import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { FailureCode, jobFailure, wrapFailure, type JobFailure } from '@export-service/errors';
import { isSafeKey, type ArtifactStat, type ArtifactStore, type ArtifactWriter, type ByteRange } from '@export-service/export-core';
import { s3ErrorKind } from '../s3/s3-errors';
import type { LinkSigning } from './local.store';

/** Where the store keeps its objects. */
export interface S3StoreSettings {
  bucket: string;
  /** Prepended to every key (`exports/`), empty for the bucket's root. */
  prefix: string;
  partSizeBytes: number;
}

/** Errors of the S3 store, by what they mean for the export. */
function classifyS3StoreError(error: Error): JobFailure | null {
  const kind = s3ErrorKind(error);
  if (kind === 'unreachable') return jobFailure(FailureCode.storageUnavailable);
  if (kind === 'denied' || kind === 'no-bucket')
    return jobFailure(FailureCode.storageDenied, `the export storage bucket refused the request (${kind === 'no-bucket' ? 'no such bucket' : 'access denied'})`);
  return null;
}

function asS3StoreFailure(thrown: unknown): unknown {
  return wrapFailure(thrown, classifyS3StoreError);
}

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NotFound' || name === 'NoSuchKey' || $metadata?.httpStatusCode === 404;
}

/**
 * A file streamed into a multipart upload (one PutObject when it stays under a part). S3 shows the
 * object only once the upload completes, so a half-written file is never visible; destroying the
 * writer aborts the upload and its parts. Memory per writer is about one part.
 */
class S3Writer implements ArtifactWriter {
  private readonly body = new PassThrough({ highWaterMark: 1024 * 1024 });
  private readonly upload: Upload;
  private readonly done: Promise<void>;
  private failure: unknown = null;

  constructor(
    readonly key: string,
    client: S3Client,
    bucket: string,
    objectKey: string,
    partSizeBytes: number,
  ) {
    this.upload = new Upload({ client, params: { Bucket: bucket, Key: objectKey, Body: this.body }, partSize: partSizeBytes, queueSize: 1, leavePartsOnError: false });
    this.done = this.upload.done().then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= asS3StoreFailure(error);
        throw this.failure;
      },
    );
    // Failures are read by the next call; an unawaited rejection must not kill the worker.
    this.done.catch(() => undefined);
  }

  async write(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    if (this.body.write(chunk)) return;
    await Promise.race([once(this.body, 'drain'), this.done]);
    this.throwIfFailed();
  }

  async flush(): Promise<void> {
    this.throwIfFailed();
  }

  async end(): Promise<void> {
    this.throwIfFailed();
    this.body.end();
    await this.done;
  }

  async destroy(): Promise<void> {
    await this.upload.abort().catch(() => undefined);
    this.body.destroy();
    await this.done.catch(() => undefined);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * Export files in an S3 bucket (any S3-compatible server), so every worker machine shares them. Keys
 * are the same per-attempt keys as on local disk (`<prefix><workspace>/<job>/<run>/<file>`), written once
 * and never copied; downloads and Range requests stream from GetObject. `signedUrl` hands out the API's
 * own signed link, not an S3 presigned URL: it still asks for a protected export's password, is
 * audited, serves only files of completed exports, and works when clients cannot reach the bucket.
 */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    private readonly settings: S3StoreSettings,
    private readonly signLink: LinkSigning,
  ) {}

  async create(key: string): Promise<ArtifactWriter> {
    return new S3Writer(key, this.client, this.settings.bucket, this.objectKey(key), this.settings.partSizeBytes);
  }

  async stat(key: string): Promise<ArtifactStat | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return { bytes: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw asS3StoreFailure(error);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      return object.Body as Readable;
    } catch (error) {
      throw asS3StoreFailure(error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      if (!isNotFound(error)) throw asS3StoreFailure(error);
    }
  }

  /** Lists the prefix and deletes object by object (DeleteObjects needs a Content-MD5 some S3-compatible servers reject). */
  async deletePrefix(prefix: string): Promise<number> {
    if (!isSafeKey(prefix, true)) throw new Error('storage key prefix must be safe segments ending in "/"');
    let count = 0;
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: `${this.settings.prefix}${prefix}`, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: object.Key }));
          count += 1;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw asS3StoreFailure(error);
    }
    return count;
  }

  async signedUrl(key: string, ttlSeconds: number): Promise<string> {
    this.objectKey(key);
    return this.signLink(key, ttlSeconds);
  }

  private objectKey(key: string): string {
    if (!isSafeKey(key)) throw new Error('unsafe storage key');
    return `${this.settings.prefix}${key}`;
  }
}

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Path under which the API serves signed links to stored files. */
export const SIGNED_LINK_PATH = '/api/v1/files/';

/** The file a download token opens. */
export interface DownloadSubject {
  workspaceId: string;
  jobId: string;
  fileIndex: number;
}

/** What a download token signs; `:` never occurs in a storage key, so it cannot pass for a file link. */
function downloadSubject(file: DownloadSubject): string {
  return `download:${file.workspaceId}:${file.jobId}:${file.fileIndex}`;
}

/** What a signed link's check found. */
export type LinkCheck = 'valid' | 'expired' | 'invalid';

/**
 * Signs and checks links to stored files that work without an API key until they expire (a local
 * store's answer to an S3 presigned URL). The HMAC key is derived from EXPORT_SECRET_KEY, so a link
 * cannot be forged or extended, and a key rotation revokes every link.
 */
export class LinkSigner {
  private readonly key: Buffer;

  constructor(
    secretKey: Buffer,
    private readonly baseUrl: string,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'export-service signed links', 32));
  }

  /** A link to `key` valid for `ttlSeconds`. */
  sign(key: string, ttlSeconds: number, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + Math.max(1, Math.floor(ttlSeconds));
    const path = `${SIGNED_LINK_PATH}${key.split('/').map(encodeURIComponent).join('/')}`;
    return `${this.baseUrl.replace(/\/$/, '')}${path}?expires=${expires}&signature=${this.signature(key, expires)}`;
  }

  /** Checks a link's key, expiry and signature. */
  check(key: string, expires: string, signature: string, now = Date.now()): LinkCheck {
    if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) return 'invalid';
    const expected = Buffer.from(this.signature(key, Number(expires)), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'invalid';
    return Number(expires) * 1000 < now ? 'expired' : 'valid';
  }

  /**
   * A token for `GET /api/v1/export/download/{job_id}/{file_index}?token=` (the links in delivery
   * emails): `<expires>.<signature>` over the workspace, job and file, so it opens that file only.
   */
  downloadToken(file: DownloadSubject, ttlSeconds: number, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + Math.max(1, Math.floor(ttlSeconds));
    return `${expires}.${this.signature(downloadSubject(file), expires)}`;
  }

  /** Checks a download token against the file it is presented for. */
  checkDownloadToken(file: DownloadSubject, token: string, now = Date.now()): LinkCheck {
    const [expires = '', signature = '', extra] = token.split('.');
    return extra === undefined ? this.check(downloadSubject(file), expires, signature, now) : 'invalid';
  }

  private signature(key: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${expires}\n${key}`).digest('hex');
  }
}

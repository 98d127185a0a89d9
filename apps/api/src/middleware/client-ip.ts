import type { Request } from 'express';

/** The client's address (behind a trusted proxy when TRUST_PROXY is set). */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

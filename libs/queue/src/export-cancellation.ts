import type { Redis } from './redis-connection';

/** The pub/sub channel every worker listens on for cancelled exports (one per queue prefix). */
export function cancelChannel(prefix: string): string {
  return `${prefix}:export-cancelled`;
}

/** Tells every worker process that an export was cancelled: the one running it stops at once. */
export async function announceCancellation(redis: Redis, prefix: string, exportJobId: string): Promise<void> {
  await redis.publish(cancelChannel(prefix), exportJobId);
}

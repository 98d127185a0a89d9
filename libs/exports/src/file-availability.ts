/** Whether an export's files are served: `deleted` and `expired` answer 410 (the row, status and metadata stay). */
export type FileAvailability = 'available' | 'deleted' | 'expired';

/** The availability of an export's files at `now`. */
export function fileAvailability(job: { deletedAt: Date | null; expiresAt: Date | null }, now: Date = new Date()): FileAvailability {
  if (job.deletedAt !== null) return 'deleted';
  if (job.expiresAt !== null && job.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'available';
}

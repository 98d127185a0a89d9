import type { CleanupCandidate } from '@export-service/db';
import { deleteExport, toMegabytes, type DeleteExportDeps } from './delete-export';

/** What POST /export/cleanup asks. */
export interface CleanupRequest {
  olderThanDays: number;
  keepScheduled: boolean;
  isDryRun: boolean;
}

/** What a cleanup did (or, in a dry run, would do). */
export interface CleanupResult {
  exportsDeleted: number;
  filesRemoved: number;
  bytesFreed: number;
  exports: Array<CleanupCandidate & { sizeMb: number }>;
  keptScheduled: number;
  skippedUnfinished: number;
  /** More exports matched than one call handles; call again. */
  hasMore: boolean;
}

/** Exports one cleanup call deletes at most (each is a row update and its files' removal). */
export const CLEANUP_BATCH = 500;
const DAY_MS = 86_400_000;

/**
 * Deletes a workspace's finished exports created more than `olderThanDays` ago (scheduled ones kept
 * when asked), each through `deleteExport(..., 'cleanup')`, so storage is measured and the rows stay.
 * A dry run lists the same exports with the bytes their files take and changes nothing.
 */
export async function cleanupExports(deps: DeleteExportDeps, workspaceId: string, request: CleanupRequest, now = new Date()): Promise<CleanupResult> {
  const cutoff = new Date(now.getTime() - request.olderThanDays * DAY_MS);
  const candidates = await deps.jobs.cleanupCandidates(workspaceId, cutoff, request.keepScheduled, CLEANUP_BATCH + 1);
  const batch = candidates.slice(0, CLEANUP_BATCH);
  const skipped = await deps.jobs.cleanupSkipped(workspaceId, cutoff, request.keepScheduled);
  const result: CleanupResult = {
    exportsDeleted: 0,
    filesRemoved: 0,
    bytesFreed: 0,
    exports: [],
    keptScheduled: skipped.scheduled,
    skippedUnfinished: skipped.unfinished,
    hasMore: candidates.length > CLEANUP_BATCH,
  };
  for (const candidate of batch) {
    if (request.isDryRun) {
      result.exportsDeleted += 1;
      result.filesRemoved += candidate.files;
      result.bytesFreed += candidate.bytes;
      result.exports.push({ ...candidate, sizeMb: toMegabytes(candidate.bytes) });
      continue;
    }
    const deleted = await deleteExport(deps, candidate, 'cleanup');
    // Deleted meanwhile by someone else: not this cleanup's doing.
    if (!deleted) continue;
    result.exportsDeleted += 1;
    result.filesRemoved += deleted.filesRemoved;
    result.bytesFreed += deleted.bytesFreed;
    result.exports.push({ ...candidate, bytes: deleted.bytesFreed, sizeMb: toMegabytes(deleted.bytesFreed) });
  }
  return result;
}

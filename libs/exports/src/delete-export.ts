import { BYTES_PER_MB, type DeletionReason } from '@export-service/contracts';
import type { ExportJobRepository } from '@export-service/db';
import { scopePrefix, type ArtifactStore } from '@export-service/export-core';

/** What deleting an export talks to. */
export interface DeleteExportDeps {
  jobs: ExportJobRepository;
  store: ArtifactStore;
}

/** What a deletion removed from storage. */
export interface DeletedFiles {
  filesRemoved: number;
  bytesFreed: number;
}

/** Megabytes (1 MB = 1,000,000 bytes), to three decimals, as the API shows sizes. */
export function toMegabytes(bytes: number): number {
  return Math.round((bytes / BYTES_PER_MB) * 1000) / 1000;
}

/**
 * The one way to delete an export, for `DELETE /export/{id}`, expiry, schedule retention and cleanup:
 * the row is marked deleted first (its downloads and signed links answer 410 from that moment, and
 * its status and metadata stay), then its files leave storage. Null when the export is still queued
 * or running, or was deleted before. A storage failure leaves the row marked and unpurged, and the
 * maintenance job finishes the removal later (`purgeExportFiles`).
 */
export async function deleteExport(deps: DeleteExportDeps, job: { id: string; workspaceId: string }, reason: DeletionReason): Promise<DeletedFiles | null> {
  const files = await deps.jobs.markDeleted(job.id, reason);
  if (files === null) return null;
  let filesRemoved = 0;
  let bytesFreed = 0;
  // What the export listed, measured in storage now: a file already gone frees nothing.
  for (const file of files) {
    const stored = await deps.store.stat(file.storageKey);
    if (stored === null) continue;
    await deps.store.delete(file.storageKey);
    filesRemoved += 1;
    bytesFreed += stored.bytes;
  }
  await purgeExportFiles(deps, job);
  return { filesRemoved, bytesFreed };
}

/**
 * Removes whatever is left under every attempt's prefix of a deleted export (stray files of killed
 * attempts included) and notes that storage let go; safe to repeat. Returns how many files went.
 */
export async function purgeExportFiles(deps: DeleteExportDeps, job: { id: string; workspaceId: string }): Promise<number> {
  let removed = 0;
  for (const runId of await deps.jobs.runIds(job.id)) {
    removed += await deps.store.deletePrefix(scopePrefix({ workspaceId: job.workspaceId, jobId: job.id, runId }));
  }
  await deps.jobs.markFilesPurged(job.id);
  return removed;
}

import type { AbandonedRun, ExportJobRepository } from '@export-service/db';
import { scopePrefix, type ArtifactStore } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import type { JobHandler } from './job-handler';

/** Deletes the files of attempts nobody will serve and notes it on their rows; returns how many files went. */
export async function sweepRuns(store: ArtifactStore, jobs: ExportJobRepository, runs: AbandonedRun[]): Promise<number> {
  let files = 0;
  for (const run of runs) {
    files += await store.deletePrefix(scopePrefix({ workspaceId: run.workspaceId, jobId: run.jobId, runId: run.runId }));
    await jobs.markRunSwept(run.runId);
  }
  return files;
}

/**
 * Deletes the files of attempts that will never be served: killed, abandoned or failed attempts, and
 * stray attempts of finished exports. Driven by the runs table, so it works the same on any store
 * (no listing of storage) and never touches the files of the attempt that completed.
 */
export function createSweepPartialArtifactsHandler(store: ArtifactStore, jobs: ExportJobRepository, logger: Logger): JobHandler<'sweep-partial-artifacts'> {
  return {
    async perform({ olderThanMinutes }) {
      const runs = await jobs.abandonedRuns(new Date(Date.now() - olderThanMinutes * 60_000));
      const files = await sweepRuns(store, jobs, runs);
      if (runs.length > 0) logger.info('removed files of abandoned attempts', { attempts: runs.length, files, olderThanMinutes });
    },
  };
}

import type { ExportJobRepository } from '@export-service/db';
import type { ArtifactStore } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import type { JobHandler } from './job-handler';

/** Deletes partial files of exports that will not finish (failed after their worker was killed). */
export function createSweepPartialArtifactsHandler(store: ArtifactStore, jobs: ExportJobRepository, logger: Logger): JobHandler<'sweep-partial-artifacts'> {
  const isLive = async ({ jobId }: { jobId: string }) => {
    const job = await jobs.findById(jobId);
    return job !== null && (job.status === 'queued' || job.status === 'processing');
  };
  return {
    async perform({ olderThanMinutes }) {
      const removed = await store.sweepPartials(new Date(Date.now() - olderThanMinutes * 60_000), isLive);
      if (removed > 0) logger.info('removed abandoned partial files', { removed, olderThanMinutes });
    },
  };
}

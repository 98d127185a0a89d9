import type { ExportJobEntity } from '@export-service/db';
import { errors } from '@export-service/errors';
import type { ApiDeps } from '../../api-deps';

const JOB_ID = /^job_[0-9a-f]{32}$/;

/** The job of the caller's workspace named in the path; anything else, malformed ids included, is 404. */
export async function findOwnJob(deps: Pick<ApiDeps, 'jobs'>, id: string, workspaceId: string): Promise<ExportJobEntity> {
  const job = JOB_ID.test(id) ? await deps.jobs.findInWorkspace(id, workspaceId) : null;
  if (!job) throw errors.notFound('export', id.slice(0, 64));
  return job;
}

import type { ExportJobEntity, Principal } from '@export-service/db';
import { errors } from '@export-service/errors';
import type { ApiDeps } from '../../api-deps';

const JOB_ID = /^job_[0-9a-f]{32}$/;

/**
 * The job named in the path if the caller may see it: an admin any job of its workspace, a member
 * only the ones it created. Anything else, malformed ids included, is 404: the answer never tells
 * whether a job exists elsewhere.
 */
export async function findOwnJob(deps: Pick<ApiDeps, 'jobs'>, id: string, principal: Principal): Promise<ExportJobEntity> {
  const job = JOB_ID.test(id) ? await deps.jobs.findVisible(id, principal) : null;
  if (!job) throw errors.notFound('export', id.slice(0, 64));
  return job;
}

import type { ExportProgress } from '@export-service/contracts';
import type { ExportJobEntity } from '@export-service/db';
import type { ApiDeps } from '../../api-deps';
import { presentDelivery } from './delivery.presenter';
import { presentStatus } from './export.presenter';

/** The status answer of one export, with its files (once completed) and its deliveries: what GET status and the SSE `done` event send. */
export async function statusAnswer(deps: ApiDeps, job: ExportJobEntity, progress: ExportProgress) {
  const [files, deliveries] = await Promise.all([job.status === 'completed' ? deps.jobs.listFiles(job.id) : [], deps.deliveries.listForJob(job.id)]);
  return { ...presentStatus(job, progress, files), deliveries: deliveries.map(presentDelivery) };
}

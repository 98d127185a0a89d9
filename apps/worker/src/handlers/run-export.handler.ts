import { DelayedError } from 'bullmq';
import { FINISHED_STATUSES, type ExportManifest } from '@export-service/contracts';
import type { ExportJobEntity, ExportJobRepository, RecordedSource } from '@export-service/db';
import { conversionRowSource, sourcePasswordContext, type ConversionDeps } from '@export-service/exports';
import { failWith, FailureCode } from '@export-service/errors';
import type { ExportPorts } from '@export-service/export-core';
import { runExport, scopePrefix } from '@export-service/export-core';
import type { Logger } from '@export-service/logger';
import type { ExportEventPublisher, WorkspaceSlots } from '@export-service/queue';
import type { ServiceMetrics } from '@export-service/metrics';
import { openSecret, type SecretKeys } from '@export-service/security';
import type { JobHandler } from './job-handler';
import { RedisProgressSink } from './redis-progress.sink';
import type { CancelWatch } from '../cancel-watch';

/** What running an export needs. */
export interface RunExportDeps {
  jobs: ExportJobRepository;
  ports: ExportPorts;
  slots: WorkspaceSlots;
  secrets: SecretKeys;
  logger: Logger;
  /** How long a job waits before asking again for a slot of its workspace. */
  slotRetryMs: number;
  slotLeaseMs: number;
  /** Live events for progress streams (optional: tests of the handler alone leave it out). */
  events?: ExportEventPublisher;
  metrics?: ServiceMetrics;
  /** Called once the export has finished for good (deliveries are queued then). */
  onFinished?: (exportJobId: string, event: 'export.completed' | 'export.failed') => Promise<unknown>;
  /** Stops the attempt of an export cancelled on any API replica. */
  cancels: CancelWatch;
  /** Reads a conversion's source export (staging in the service's PostgreSQL). */
  conversion: Omit<ConversionDeps, 'jobs' | 'store'>;
  /** The analytics database's name, recorded in each export's lineage (no host, no credentials). */
  sourceDatabase: string | null;
}

/** A conversion's rows: the source export's files, read with the source password sealed to this job. */
async function conversionSource(deps: RunExportDeps, record: ExportJobEntity, signal: AbortSignal) {
  const sourcePassword = record.sealedSourcePassword ? openSecret(record.sealedSourcePassword, deps.secrets, sourcePasswordContext(record.id)) : null;
  return conversionRowSource({ ...deps.conversion, jobs: deps.jobs, store: deps.ports.store }, record, sourcePassword, signal);
}

/** What the manifest says of a source, as the job row records it. */
function toRecordedSource(source: ExportManifest['sources'][number]): RecordedSource {
  return {
    dataSource: source.data_source,
    aggregation: source.aggregation,
    columns: source.columns,
    filtersApplied: source.filters_applied,
    rows: source.rows,
    files: source.files,
    profile: source.profile ?? null,
  };
}

/**
 * Runs one export: takes a slot of its workspace (or waits, still `queued`), starts an attempt (a
 * run id that owns the job from now on), opens its sealed password in memory, runs the pipeline
 * under the run's own storage prefix and completes the job with its files, if the run still owns it.
 */
export function createRunExportHandler(deps: RunExportDeps): JobHandler<'run-export'> {
  /** The run of each attempt this process is running (by BullMQ lock token), for onFailure. */
  const runs = new Map<string, string>();
  const attemptOf = (exportJobId: string, token: string | undefined, attemptsMade: number) => `${exportJobId}:${token ?? attemptsMade}`;
  return {
    async perform({ exportJobId }, { job, token, signal }) {
      const record = await deps.jobs.findById(exportJobId);
      if (!record) throw failWith(FailureCode.exportMissing, `export ${exportJobId} no longer exists`);
      if (FINISHED_STATUSES.includes(record.status)) return;

      // The slot belongs to this attempt (the BullMQ lock token), not to the job: a second attempt of
      // the same job while the first still runs needs a slot of its own.
      const holder = attemptOf(record.id, token, job.attemptsMade);
      if (!(await deps.slots.acquire(record.workspaceId, holder))) {
        await job.moveToDelayed(Date.now() + deps.slotRetryMs, token);
        throw new DelayedError();
      }
      const renewal = setInterval(() => void deps.slots.acquire(record.workspaceId, holder).catch(() => undefined), deps.slotLeaseMs / 3);
      const logger = deps.logger.child({ exportJobId, workspaceId: record.workspaceId, attempt: job.attemptsMade + 1 });
      const cancel = deps.cancels.watch(record.id);
      let runId: string | null = null;
      try {
        runId = await deps.jobs.markProcessing(record.id, job.attemptsMade + 1);
        if (!runId) {
          logger.warn('export finished meanwhile; this attempt does nothing');
          return;
        }
        runs.set(holder, runId);
        signal.throwIfAborted();
        logger.info('export started', { runId, format: record.spec.format, compression: record.spec.compression, sources: record.spec.sources.length });
        const password = record.sealedPassword ? openSecret(record.sealedPassword, deps.secrets, record.id) : null;
        const started = Date.now();
        const attemptSignal = AbortSignal.any([signal, cancel.signal]);
        const ports = record.spec.conversion ? { ...deps.ports, rowSource: await conversionSource(deps, record, attemptSignal) } : deps.ports;
        const outcome = await runExport(record.spec, ports, {
          jobId: record.id,
          workspaceId: record.workspaceId,
          runId,
          createdAt: record.createdAt,
          password,
          signal: attemptSignal,
          progress: new RedisProgressSink(job, 500, async (progress) => deps.events?.progress(record.id, progress)),
          notes: record.notes,
        });
        const recorded = { sources: outcome.manifest.sources.map(toRecordedSource), sourceDatabase: record.spec.conversion ? null : deps.sourceDatabase };
        if (!(await deps.jobs.complete(record.id, runId, outcome.files, outcome.totalRows, recorded))) {
          // Nobody lists these files: they go now rather than at the next sweep.
          await deps.ports.store.deletePrefix(scopePrefix({ workspaceId: record.workspaceId, jobId: record.id, runId })).catch(() => undefined);
          runs.delete(holder);
          logger.warn('export finished but another attempt owns it now; its files were removed', { runId });
          return;
        }
        runs.delete(holder);
        // The deliveries were written with the export; a crash before this line leaves them pending for the reconciliation.
        await deps.onFinished?.(record.id, 'export.completed').catch((error: unknown) => logger.warn('could not queue the deliveries yet; the reconciliation will', { error }));
        // Advisory: the row is completed already; a Redis hiccup here must not turn it into a failed attempt.
        await job
          .updateProgress({ percentage: 100, rows_processed: outcome.totalRows, total_rows: outcome.totalRows, current_table: null, files_created: outcome.files.length })
          .catch(() => undefined);
        const seconds = (Date.now() - started) / 1000;
        await deps.events?.finished(record.id, 'completed');
        deps.metrics?.recordExport(
          record.spec.format,
          seconds,
          outcome.totalRows,
          outcome.files.reduce((sum, file) => sum + file.bytes, 0),
        );
        logger.info('export completed', {
          runId,
          rows: outcome.totalRows,
          files: outcome.files.length,
          seconds,
          rowsPerSecond: Math.round(outcome.totalRows / Math.max(seconds, 0.001)),
        });
      } catch (error) {
        // Cancelled: runExport removed this attempt's files on its way out; the row says cancelled already.
        if (!cancel.signal.aborted || signal.aborted) throw error;
        if (runId) await deps.jobs.endCancelledRun(runId);
        runs.delete(holder);
        logger.info('export cancelled; the attempt stopped and removed its files', { runId });
      } finally {
        cancel.stop();
        clearInterval(renewal);
        await deps.slots.release(record.workspaceId, holder).catch(() => undefined);
      }
    },

    async onFailure({ exportJobId }, failure, isFinal, { job, token }) {
      const attempt = attemptOf(exportJobId, token, job.attemptsMade);
      const runId = runs.get(attempt);
      runs.delete(attempt);
      if (isFinal) {
        // Without a run (the attempt failed before it started one), nothing of it can race the row.
        await deps.jobs.fail(exportJobId, failure, runId);
        await deps.events?.finished(exportJobId, 'failed');
        deps.logger.error('export failed', { exportJobId, code: failure.code, error: failure.message });
        await deps.onFinished?.(exportJobId, 'export.failed').catch(() => undefined);
      } else if (runId) {
        await deps.jobs.markRetrying(exportJobId, runId, failure);
        deps.logger.warn('export attempt failed; retrying', { exportJobId, code: failure.code, error: failure.message });
      }
    },
  };
}

import { Router, type Response } from 'express';
import { EMPTY_PROGRESS, FINISHED_STATUSES, type ExportProgress, type ExportStatus } from '@export-service/contracts';
import type { ExportJobEntity } from '@export-service/db';
import type { ExportEvent } from '@export-service/queue';
import type { ApiDeps } from '../../api-deps';
import { principalOf } from '../../middleware/auth';
import { statusAnswer } from './status-answer';
import { findOwnJob } from './find-own-job';

/** While a job runs, a progress event goes out at least this often (the latest figures, repeated if nothing moved). */
const PROGRESS_EVERY_MS = 1_000;
/** With no event for this long, Redis is asked whether BullMQ finished the job (a missed "finished" message). */
const QUIET_CHECK_MS = 5_000;

function send(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function isFinished(status: ExportStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

/**
 * GET /api/v1/export/status/{job_id}/events: Server-Sent Events of one export. `progress` events
 * (`{job_id, status, progress}`) at least every second while it runs, fed by the workers' Redis
 * pub/sub (any API replica hears them), then one `done` event carrying the status answer, and the
 * stream ends. Comments every SSE_HEARTBEAT_SECONDS keep proxies from timing out a queued job's
 * stream. The same visibility as status: another workspace's or an unknown job answers 404.
 */
export function exportEventsRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/export/status/:job_id/events', async (req, res) => {
    const job = await findOwnJob(deps, String(req.params.job_id), principalOf(res));
    let status: ExportStatus = job.status;
    let progress: ExportProgress = { ...EMPTY_PROGRESS, rows_processed: job.rowsProcessed, total_rows: job.totalRows, files_created: job.filesCreated };
    let lastSent = 0;
    let lastHeard = Date.now();
    let isClosed = false;
    const timers: NodeJS.Timeout[] = [];

    const close = async () => {
      if (isClosed) return;
      isClosed = true;
      timers.forEach(clearInterval);
      await stopListening();
      res.end();
    };
    const sendProgress = () => {
      lastSent = Date.now();
      send(res, 'progress', { job_id: job.id, status, progress });
    };
    /** Reads the row once the job is said to be finished; sends `done` when it really is. */
    const finishIfDone = async () => {
      const row: ExportJobEntity | null = await deps.jobs.findById(job.id).catch(() => null);
      if (isClosed || !row || !isFinished(row.status)) return;
      const finalProgress =
        row.status === 'completed' ? { ...progress, percentage: 100, rows_processed: row.rowsProcessed, total_rows: row.totalRows, files_created: row.filesCreated } : progress;
      const answer = await statusAnswer(deps, row, finalProgress);
      if (isClosed) return; // another check (the message and the quiet check at once) sent `done` meanwhile
      send(res, 'done', answer);
      await close();
    };
    const onEvent = (event: ExportEvent) => {
      // Progress a worker still publishes while the stream closes (a cancelled attempt stopping) must not follow `done`.
      if (isClosed) return;
      lastHeard = Date.now();
      if (event.type === 'finished') return void finishIfDone();
      status = 'processing';
      progress = { ...progress, ...event.progress };
      sendProgress();
    };

    // Listen first, then read the state: a finish between the two is heard, not missed.
    const stopListening = await deps.exportEvents.listen(job.id, onEvent);
    req.on('close', () => void close());
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    if (isFinished(job.status)) return finishIfDone();
    const live = await deps.progress.exportProgress(job.id).catch(() => null);
    if (live) progress = { ...progress, ...live };
    sendProgress();

    timers.push(
      setInterval(() => {
        if (isClosed) return;
        if (status === 'processing' && Date.now() - lastSent >= PROGRESS_EVERY_MS - 50) sendProgress();
        if (Date.now() - lastHeard < QUIET_CHECK_MS) return;
        lastHeard = Date.now();
        void deps.progress
          .isJobFinished(job.id)
          .then((isDone) => (isDone ? finishIfDone() : undefined))
          .catch(() => undefined);
      }, PROGRESS_EVERY_MS / 4),
      setInterval(() => !isClosed && res.write(': keep-alive\n\n'), deps.config.ops.sseHeartbeatSeconds * 1000),
    );
  });
  return router;
}

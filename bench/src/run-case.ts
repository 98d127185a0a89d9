import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportApi, ExportStatus } from './api-client';
import { createBody, type BenchCase, type BenchS3 } from './cases';
import { waitForQuiet, type QuietCheck } from './machine-load';
import { RssSampler, type RssPeak } from './process-tree';
import type { RunSummary } from './repeat';
import { startWorker } from './service';

const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 100);
const FAILURE_LOG_LINES = 50;

/** Where and how one case runs. */
export interface CaseContext {
  api: ExportApi;
  env: NodeJS.ProcessEnv;
  /** Rows the export must hold. */
  expectedRows: number;
  /** Seeded rows (the label of the run). */
  seededRows: number;
  storageDir: string;
  logDir: string;
  timeoutSeconds: number;
  log: (line: string) => void;
  /** The S3-compatible server of delivery cases. */
  s3: BenchS3 | null;
}

/** What one export measured. */
export interface CaseResult {
  id: string;
  label: string;
  seededRows: number;
  isOk: boolean;
  /** Why it failed, and the worker's last log lines. */
  failure: { message: string; workerLog: string[] } | null;
  jobId: string | null;
  rows: number;
  /** Wall time from sending the create request to seeing `completed`. */
  seconds: number;
  /** completed_at - created_at, as the service recorded them. */
  serviceSeconds: number | null;
  /** Bytes of the data files (the job's manifest.json left out). */
  outputBytes: number;
  /** Data files (the manifest left out). */
  files: number;
  /** Bytes of the manifest.json. */
  manifestBytes: number;
  /** How busy the machine was just before the export started. */
  quiet: QuietCheck;
  /** The worker and its children (lbzip2), summed, during this run. */
  workerRss: RssPeak;
  /** The same for the run (of all repeats) whose peak was highest: what the RSS target is checked on. */
  highestWorkerRss: RssPeak;
  /** Runs set aside because other processes used the CPU meanwhile. */
  discardedAttempts: Array<{ seconds: number; otherCpuSeconds: number }>;
  /** Every kept run when the case was repeated: this result is the median one, with the highest RSS. */
  runs: RunSummary[];
}

/** Finished: failed, or completed with every delivery delivered or failed for good. */
function isDone(status: ExportStatus): boolean {
  if (status.status === 'failed') return true;
  return status.status === 'completed' && status.deliveries.every((delivery) => ['delivered', 'failed', 'skipped'].includes(delivery.state));
}

async function pollUntilDone(api: ExportApi, jobId: string, isWorkerRunning: () => boolean, deadline: number): Promise<ExportStatus> {
  for (;;) {
    const status = await api.status(jobId);
    if (isDone(status)) return status;
    if (!isWorkerRunning()) throw new Error(`the worker exited while the export was ${status.status}`);
    if (Date.now() > deadline) throw new Error(`still ${status.status} after the time limit (${status.rowsProcessed} rows processed)`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function emptyStorage(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

/**
 * Runs one case with a worker of its own (so one format's memory high-water mark cannot carry into the
 * next): start the worker, sample its tree's RSS every 100 ms, create the export, poll its status until
 * it is completed, stop the worker.
 */
export async function runCase(benchCase: BenchCase, context: CaseContext): Promise<CaseResult> {
  const worker = await startWorker(context.env, join(context.logDir, `worker-${benchCase.id}-${context.seededRows}.log`));
  const quiet = await waitForQuiet(context.log);
  const sampler = new RssSampler(worker.pid, true);
  const measured = { jobId: null as string | null, seconds: 0, status: null as ExportStatus | null };
  let failure: CaseResult['failure'] = null;
  try {
    const started = process.hrtime.bigint();
    measured.jobId = await context.api.create(createBody(benchCase, context.seededRows, context.s3));
    context.log(`  ${benchCase.id}: job ${measured.jobId} created`);
    measured.status = await pollUntilDone(context.api, measured.jobId, () => worker.isRunning, Date.now() + context.timeoutSeconds * 1000);
    measured.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  } catch (error) {
    failure = { message: error instanceof Error ? error.message : String(error), workerLog: worker.lastLines(FAILURE_LOG_LINES) };
  }
  const workerRss = sampler.stop();
  await worker.stop();
  emptyStorage(context.storageDir);

  const allFiles = measured.status?.files ?? [];
  const files = allFiles.filter((file) => file.format !== 'manifest');
  const rows = files.reduce((sum, file) => sum + file.rows, 0);
  const status = measured.status;
  const undelivered = status?.deliveries.find((delivery) => delivery.state !== 'delivered');
  if (!failure && undelivered)
    failure = { message: `a delivery ended ${undelivered.state}: ${undelivered.lastError ?? 'no error given'}`, workerLog: worker.lastLines(FAILURE_LOG_LINES) };
  if (!failure && status?.status === 'failed') failure = { message: `the export failed: ${status.error ?? 'no error given'}`, workerLog: worker.lastLines(FAILURE_LOG_LINES) };
  if (!failure && rows !== context.expectedRows)
    failure = { message: `the export holds ${rows} rows, expected ${context.expectedRows}`, workerLog: worker.lastLines(FAILURE_LOG_LINES) };
  return {
    id: benchCase.id,
    label: benchCase.label,
    seededRows: context.seededRows,
    isOk: failure === null,
    failure,
    jobId: measured.jobId,
    rows,
    seconds: measured.seconds,
    serviceSeconds: status?.completedAt ? (Date.parse(status.completedAt) - Date.parse(status.createdAt)) / 1000 : null,
    outputBytes: files.reduce((sum, file) => sum + file.bytes, 0),
    files: files.length,
    manifestBytes: allFiles.filter((file) => file.format === 'manifest').reduce((sum, file) => sum + file.bytes, 0),
    quiet,
    workerRss,
    highestWorkerRss: workerRss,
    discardedAttempts: [],
    runs: [],
  };
}

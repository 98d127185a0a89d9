import { readFileSync } from 'node:fs';

/** Share of all cores that was busy before a measurement, and how long the benchmark waited for quiet. */
export interface QuietCheck {
  busyShare: number;
  waitedSeconds: number;
  isQuiet: boolean;
}

function cpuJiffies(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Share (0..1) of all cores busy over the next `ms` milliseconds, whoever used them. */
export async function busyShare(ms: number): Promise<number> {
  const before = cpuJiffies();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuJiffies();
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

/**
 * Waits until the machine is quiet (under `threshold` of all cores busy over 2 s) so other work on this
 * 2-core machine does not end up in the figures; gives up after `maxWaitSeconds` and says so.
 */
export async function waitForQuiet(log: (line: string) => void, threshold = 0.1, maxWaitSeconds = 600): Promise<QuietCheck> {
  const started = Date.now();
  let hasWarned = false;
  for (;;) {
    const share = await busyShare(2_000);
    const waitedSeconds = (Date.now() - started) / 1000;
    if (share < threshold) return { busyShare: share, waitedSeconds, isQuiet: true };
    if (waitedSeconds >= maxWaitSeconds) {
      log(`the machine is still ${(share * 100).toFixed(0)}% busy after ${waitedSeconds.toFixed(0)} s: measuring anyway (figures may be low)`);
      return { busyShare: share, waitedSeconds, isQuiet: false };
    }
    if (!hasWarned) log(`the machine is ${(share * 100).toFixed(0)}% busy with other work: waiting for it to calm down`);
    hasWarned = true;
  }
}

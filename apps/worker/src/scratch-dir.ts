import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const PREFIX = 'worker-';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * This process's own scratch directory under WORK_DIR (`worker-<pid>`), after removing the ones left
 * by worker processes that are gone (killed mid-export, their staging files would otherwise fill the
 * disk). Directories of workers still running on this machine are left alone.
 */
export async function claimScratchDir(workDir: string): Promise<{ dir: string; removed: number }> {
  await mkdir(workDir, { recursive: true });
  let removed = 0;
  for (const entry of await readdir(workDir, { withFileTypes: true })) {
    const pid = entry.isDirectory() && entry.name.startsWith(PREFIX) ? Number(entry.name.slice(PREFIX.length)) : NaN;
    const isStale = Number.isInteger(pid) && (pid === process.pid || !isRunning(pid));
    const isLegacy = entry.isDirectory() && entry.name.startsWith('parquet-');
    if (isStale || isLegacy) {
      await rm(join(workDir, entry.name), { recursive: true, force: true });
      removed += 1;
    }
  }
  const dir = join(workDir, `${PREFIX}${process.pid}`);
  await mkdir(dir, { recursive: true });
  return { dir, removed };
}

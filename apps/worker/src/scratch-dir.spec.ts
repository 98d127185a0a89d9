import { spawnSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@export-service/testing';
import { claimScratchDir } from './scratch-dir';

/** A pid that surely belongs to no running process: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

it('removes the scratch directories of workers that are gone, keeps those of running ones, and claims its own', async () => {
  const work = await makeTempDir('scratch');
  try {
    const dead = deadPid();
    await mkdir(join(work.path, `worker-${dead}`, 'parquet-abc'), { recursive: true });
    await mkdir(join(work.path, `worker-${process.ppid}`), { recursive: true });
    await mkdir(join(work.path, 'parquet-legacy'), { recursive: true });
    const claimed = await claimScratchDir(work.path);
    expect(claimed.dir).toBe(join(work.path, `worker-${process.pid}`));
    expect(claimed.removed).toBe(2);
    expect((await readdir(work.path)).sort()).toEqual([`worker-${process.pid}`, `worker-${process.ppid}`].sort());
  } finally {
    await work.cleanup();
  }
});

import { spawnSync } from 'node:child_process';

let resolved: string | null | undefined;

/**
 * The bzip2 encoder to spawn: `lbzip2` (parallel, ~50 MB/s here) when installed, else `bzip2`.
 * compressjs is not used: it wrote corrupt .bz2 files for large inputs (design card).
 */
export function bzip2Command(): string | null {
  if (resolved !== undefined) return resolved;
  resolved = null;
  for (const candidate of ['lbzip2', 'bzip2']) {
    if (!spawnSync(candidate, ['--help'], { stdio: 'ignore' }).error) {
      resolved = candidate;
      break;
    }
  }
  return resolved;
}

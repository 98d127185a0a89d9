import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bench-env';

/** Which build of the service a run measured. */
export interface CodeVersion {
  commit: string;
  /** `git status --porcelain` lines under apps/ and libs/ (uncommitted edits that were measured). */
  uncommitted: string[];
  /** Newest modification time of the compiled service (apps/*\/dist, libs/*\/dist), ISO-8601. */
  newestBuild: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/** The commit, uncommitted service edits and the newest compiled file, right now. */
export function codeVersion(): CodeVersion {
  const builds = ['apps', 'libs'].flatMap((group) => readdirSync(join(REPO_ROOT, group)).map((name) => newestMtime(join(REPO_ROOT, group, name, 'dist'))));
  const uncommitted = git(['status', '--porcelain', '--', 'apps', 'libs']);
  return {
    commit: git(['rev-parse', '--short=12', 'HEAD']),
    uncommitted: uncommitted === '' || uncommitted === 'unknown' ? [] : uncommitted.split('\n'),
    newestBuild: new Date(Math.max(0, ...builds)).toISOString(),
  };
}

/** True when the service's code or build changed between two readings. */
export function hasChanged(before: CodeVersion, after: CodeVersion): boolean {
  return before.commit !== after.commit || before.newestBuild !== after.newestBuild || before.uncommitted.join('\n') !== after.uncommitted.join('\n');
}

import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (CLK_TCK, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** One process as /proc/<pid>/stat shows it. */
interface ProcStat {
  /** The executable's name (comm). */
  name: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/** Every live process (pid -> parent and CPU time), read from /proc (this kernel has no /proc/.../children). */
function scanProcesses(): Map<number, ProcStat> {
  const processes = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ... utime stime ...": comm may hold spaces, so count fields after the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    processes.set(Number(entry), { name: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) });
  }
  return processes;
}

function descendantsIn(processes: Map<number, ProcStat>, pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [child, { ppid }] of processes) children.set(ppid, [...(children.get(ppid) ?? []), child]);
  const found: number[] = [];
  const pending = [pid];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

/** The parent, grandparent, ... of `pid` (npm running the benchmark, its shell). */
function ancestorsOf(pid: number): number[] {
  const processes = scanProcesses();
  const found: number[] = [];
  for (let parent = processes.get(pid)?.ppid; parent !== undefined && parent > 1; parent = processes.get(parent)?.ppid) found.push(parent);
  return found;
}

/** Every descendant of `pid` (children, grandchildren, ...), not `pid` itself. */
export function descendantsOf(pid: number): number[] {
  return descendantsIn(scanProcesses(), pid);
}

/** Resident set size of one process in bytes (VmRSS), 0 once it has exited or is a zombie. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The highest memory a process tree reached while it was sampled, and who else used the CPU meanwhile. */
export interface RssPeak {
  /** Highest sum over the tree (bytes). */
  peakBytes: number;
  /** The root's share of that sample (0 when the root is excluded). */
  peakRootBytes: number;
  /** The descendants' share of that sample. */
  peakChildrenBytes: number;
  /** Highest number of descendants seen at once. */
  maxChildren: number;
  /** The tree's RSS at the first sample. */
  startBytes: number;
  samples: number;
  /**
   * CPU seconds used meanwhile by processes that are not the benchmark's: not the sampled tree, not this
   * process or its children (API), not PostgreSQL backends of the benchmark's databases. Other work on the
   * machine distorts the figures; this says how much there was.
   */
  otherCpuSeconds: number;
  /** The other processes that used the most CPU, by name. */
  otherTop: Array<{ name: string; cpuSeconds: number }>;
}

/**
 * Which side a process is on: the benchmark's own PostgreSQL backends, the servers the service shares
 * with everyone (Redis, PostgreSQL's background processes: their work is partly ours), or other work.
 */
function classify(name: string, pid: number): 'ours' | 'shared' | 'other' {
  if (name.startsWith('redis-server')) return 'shared';
  if (name !== 'postgres') return 'other';
  const command = commandLine(pid);
  if (command.includes('export_bench_')) return 'ours';
  const isBackend = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(command);
  return isBackend ? 'other' : 'shared';
}

/**
 * Samples the RSS of a process and all its descendants every `intervalMs` (default 100 ms) and keeps
 * the peak of the sum. `includeRoot: false` leaves out the root (a shell that only waits).
 */
export class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private readonly peak: RssPeak = { peakBytes: 0, peakRootBytes: 0, peakChildrenBytes: 0, maxChildren: 0, startBytes: 0, samples: 0, otherCpuSeconds: 0, otherTop: [] };
  /** CPU ticks of other processes: first and last sight. */
  private readonly others = new Map<number, { name: string; first: number; last: number }>();
  private readonly ours = new Set<number>([process.pid, ...ancestorsOf(process.pid)]);
  private isFirstSample = true;

  constructor(
    private readonly rootPid: number,
    private readonly includeRoot: boolean,
    intervalMs = 100,
  ) {
    this.sample();
    this.peak.startBytes = this.peak.peakBytes;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes one more sample. */
  sample(): void {
    const processes = scanProcesses();
    const descendants = descendantsIn(processes, this.rootPid);
    const root = this.includeRoot ? rssBytes(this.rootPid) : 0;
    const children = descendants.reduce((sum, pid) => sum + rssBytes(pid), 0);
    this.peak.samples += 1;
    this.peak.maxChildren = Math.max(this.peak.maxChildren, descendants.length);
    if (root + children > this.peak.peakBytes) {
      this.peak.peakBytes = root + children;
      this.peak.peakRootBytes = root;
      this.peak.peakChildrenBytes = children;
    }
    this.accountOthers(processes, [this.rootPid, ...descendants, ...descendantsIn(processes, process.pid)]);
    this.isFirstSample = false;
  }

  private accountOthers(processes: Map<number, ProcStat>, ours: number[]): void {
    for (const pid of ours) this.ours.add(pid);
    for (const [pid, { name, cpuTicks }] of processes) {
      if (this.ours.has(pid)) continue;
      const seen = this.others.get(pid);
      if (seen) {
        seen.last = cpuTicks;
        continue;
      }
      if (classify(name, pid) !== 'other') {
        this.ours.add(pid);
        continue;
      }
      // A process born after the first sample used all its CPU time within the measurement.
      this.others.set(pid, { name, first: this.isFirstSample ? cpuTicks : 0, last: cpuTicks });
    }
  }

  /** Stops sampling (after a last sample) and returns the peak. */
  stop(): RssPeak {
    clearInterval(this.timer);
    this.sample();
    const byName = new Map<string, number>();
    for (const { name, first, last } of this.others.values()) byName.set(name, (byName.get(name) ?? 0) + (last - first) / TICKS_PER_SECOND);
    const otherTop = [...byName].map(([name, cpuSeconds]) => ({ name, cpuSeconds })).filter((entry) => entry.cpuSeconds > 0);
    otherTop.sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    return { ...this.peak, otherCpuSeconds: otherTop.reduce((sum, entry) => sum + entry.cpuSeconds, 0), otherTop: otherTop.slice(0, 5) };
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { descendantsOf } from './process-tree';

const TAIL_LINES = 200;
const running = new Set<ManagedProcess>();

/** How to start a child the benchmark owns. */
export interface ManagedSpawn {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Every stdout and stderr line is also appended here. */
  logFile?: string;
  /** SIGTERM its descendants too (a shell running a pipeline would leave them running). */
  isSignalledAsTree?: boolean;
}

/**
 * A child process with its output kept (last lines in memory, all of it in a log file) and a stop that
 * always ends it: SIGTERM, then SIGKILL to it and whatever it spawned once the grace period is over.
 */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly tail: string[] = [];
  private readonly listeners: Array<(line: string) => void> = [];
  private readonly log: WriteStream | null;
  private hasExited = false;

  constructor(readonly spec: ManagedSpawn) {
    this.log = spec.logFile ? createWriteStream(spec.logFile, { flags: 'a' }) : null;
    this.child = spawn(spec.command, spec.args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.hasExited = true;
        running.delete(this);
        resolve({ code, signal });
      });
      this.child.once('error', (error) => {
        this.push(`[bench] could not start ${spec.command}: ${error.message}`);
        this.hasExited = true;
        running.delete(this);
        resolve({ code: null, signal: null });
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.push(line);
      });
      stream?.on('end', () => partial && this.push(partial));
    }
  }

  /** The process id (throws when the process could not be started). */
  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name} did not start: ${this.lastLines(5).join('\n')}`);
    return this.child.pid;
  }

  /** True until the process exits. */
  get isRunning(): boolean {
    return !this.hasExited;
  }

  /** The last `count` lines it printed. */
  lastLines(count: number): string[] {
    return this.tail.slice(-count);
  }

  /** Resolves with the first line that `matches`; rejects when the process exits first or after `timeoutMs`. */
  async waitForLine(matches: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const found = this.tail.find(matches);
    if (found !== undefined) return found;
    let timer: NodeJS.Timeout | undefined;
    let listener: ((line: string) => void) | undefined;
    try {
      return await Promise.race([
        new Promise<string>((resolve) => {
          listener = (line) => matches(line) && resolve(line);
          this.listeners.push(listener);
        }),
        this.exited.then(({ code, signal }) => {
          throw new Error(`${this.spec.name} exited (code ${code}, signal ${signal}) before it was ready`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${this.spec.name} was not ready after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (listener) this.listeners.splice(this.listeners.indexOf(listener), 1);
    }
  }

  /** SIGTERM, then SIGKILL (to it and its descendants) after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.hasExited || this.child.pid === undefined) return this.closeLog();
    const pid = this.child.pid;
    const targets = this.spec.isSignalledAsTree ? [...descendantsOf(pid), pid] : [pid];
    for (const target of targets) signalQuietly(target, 'SIGTERM');
    const isDone = await Promise.race([this.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref())]);
    if (!isDone) {
      this.push(`[bench] ${this.spec.name} ignored SIGTERM for ${graceMs} ms: SIGKILL`);
      // Its descendants are listed while it still is their parent, so none is left behind.
      for (const target of [...descendantsOf(pid), pid]) signalQuietly(target, 'SIGKILL');
      await this.exited;
    }
    await this.closeLog();
  }

  private push(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.log?.write(`${line}\n`);
    for (const listener of [...this.listeners]) listener(line);
  }

  private async closeLog(): Promise<void> {
    if (!this.log || this.log.closed) return;
    this.log.end();
    await once(this.log, 'close');
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Stops every child still running (used on errors and signals). */
export async function stopAllProcesses(graceMs = 15_000): Promise<void> {
  await Promise.all([...running].map((process) => process.stop(graceMs)));
}

/** Last resort on exit: SIGKILL whatever is still running, synchronously. */
export function killAllProcessesNow(): void {
  for (const managed of running) {
    if (managed.child.pid === undefined) continue;
    for (const pid of [...descendantsOf(managed.child.pid), managed.child.pid]) signalQuietly(pid, 'SIGKILL');
  }
}

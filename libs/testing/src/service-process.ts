import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The entry points a test can start as OS processes, as in production. */
export type ServiceName = 'api' | 'worker' | 'scheduler' | 'cli';

/** The compiled entry point of a service (`npm test` builds before it runs the tests). */
export function serviceMain(name: ServiceName): string {
  return resolve(__dirname, '..', '..', '..', 'apps', name, 'dist', 'main.js');
}

/** A service running as its own process. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it printed, in chunks. */
  output: string[];
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
}

/** Starts `node apps/<name>/dist/main.js` with the given environment, logging at `logLevel`; `onLine` hears each output line. */
export function spawnService(name: ServiceName, env: Record<string, string>, onLine?: (line: string) => void, logLevel = 'info'): ServiceProcess {
  const main = serviceMain(name);
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env, LOG_LEVEL: logLevel }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let pending = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (!onLine) return;
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line) onLine(line);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<number | string | null>((resolvePromise) => child.on('exit', (code, signal) => resolvePromise(code ?? signal)));
  return { child, output, exited };
}

/** Stops a service with SIGTERM (SIGKILL after `graceMs`) and waits for it to exit. */
export async function stopService(service: ServiceProcess, graceMs = 10_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePromise(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

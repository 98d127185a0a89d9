import { join } from 'node:path';
import { REPO_ROOT } from './bench-env';
import { ManagedProcess } from './managed-process';

const READY_TIMEOUT_MS = 60_000;

function appMain(app: 'api' | 'worker' | 'cli'): string {
  return join(REPO_ROOT, 'apps', app, 'dist', 'main.js');
}

/** Creates an admin key for `workspace` with the service's CLI and returns it (the last line it prints). */
export async function createAdminKey(workspace: string, env: NodeJS.ProcessEnv): Promise<string> {
  const cli = new ManagedProcess({
    name: 'cli create-api-key',
    command: process.execPath,
    args: [appMain('cli'), 'create-api-key', '--workspace', workspace, '--role', 'admin', '--name', 'export benchmark'],
    env,
  });
  const { code } = await cli.exited;
  await cli.stop();
  const lines = cli.lastLines(50).filter((line) => line.trim().length > 0);
  const key = lines.at(-1)?.trim();
  if (code !== 0 || !key) throw new Error(`create-api-key exited with ${code}:\n${lines.join('\n')}`);
  return key;
}

/** Starts the API and resolves once GET /readyz answers 200. */
export async function startApi(env: NodeJS.ProcessEnv, baseUrl: string, logFile: string): Promise<ManagedProcess> {
  const api = new ManagedProcess({ name: 'api', command: process.execPath, args: [appMain('api')], env, logFile });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!api.isRunning) throw new Error(`the API exited before it was ready:\n${api.lastLines(50).join('\n')}`);
    const status = await fetch(`${baseUrl}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return api;
    if (Date.now() > deadline) {
      await api.stop();
      throw new Error(`GET /readyz did not answer 200 within ${READY_TIMEOUT_MS} ms (last: ${status}):\n${api.lastLines(50).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts one worker and resolves once it logs that it consumes the queues. */
export async function startWorker(env: NodeJS.ProcessEnv, logFile: string): Promise<ManagedProcess> {
  const worker = new ManagedProcess({ name: 'worker', command: process.execPath, args: [appMain('worker')], env, logFile });
  try {
    await worker.waitForLine((line) => line.includes('worker started'), READY_TIMEOUT_MS);
  } catch (error) {
    await worker.stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}:\n${worker.lastLines(50).join('\n')}`);
  }
  return worker;
}

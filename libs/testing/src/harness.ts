import { PassThrough } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import type { AppConfig } from '@export-service/config';
import type { Role } from '@export-service/contracts';
import { AccessRepository, openMetadataStore, type DataSource } from '@export-service/db';
import { createLogger, type Logger } from '@export-service/logger';
import { apiKeyHint, generateApiKey, hashApiKey } from '@export-service/security';
import { freePort, spawnService, stopService, type ServiceProcess } from './service-process';
import { createTestEnvironment, type TestEnvironment } from './test-environment';

/** An API built in this process (the API's own tests pass its factory). */
export type ApiStarter<D> = (config: AppConfig, logger: Logger) => Promise<{ app: Express; deps: D; close(): Promise<void> }>;

/** A worker started in this process (the worker's own tests pass its factory). */
export type WorkerStarter = (config: AppConfig, logger: Logger) => Promise<{ stop(graceMs?: number): Promise<void> }>;

/** How a test file runs the service: each part in this process, as its own OS process, or (worker) not at all. */
export interface HarnessOptions<D> {
  overrides?: Record<string, string>;
  /** The API: built here from a factory, or `'process'` (the compiled API on a free port). */
  api: ApiStarter<D> | 'process';
  /** The worker: built here, `'process'` (the compiled worker), or false (the test starts its own). */
  worker: WorkerStarter | 'process' | false;
}

/** The status answer, loosely typed for tests. */
export type StatusBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The service running against a fresh test world. */
export interface Harness<D = undefined> {
  env: TestEnvironment;
  /** What supertest talks to: the in-process app, or the API process's base URL. */
  app: Express | string;
  /** The in-process API's dependencies (undefined when the API runs as a process). */
  deps: D;
  /** The metadata database, for assertions on stored rows. */
  dataSource: DataSource;
  /** Every log line the API and worker wrote, for secret scans. */
  logLines: string[];
  createKey(workspaceId: string, role: Role): Promise<string>;
  /** Polls status until `until` holds (default: completed or failed), with a deadline. */
  waitForStatus(jobId: string, key: string, until?: (body: StatusBody) => boolean, timeoutMs?: number): Promise<StatusBody>;
  close(): Promise<void>;
}

function capturingLogger(service: string, lines: string[]): Logger {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return createLogger({ service, level: 'debug', format: 'json', stream });
}

/** Starts the service for one test file, in its own databases, Redis prefix and directories. */
export async function startHarness<D = undefined>(name: string, options: HarnessOptions<D>): Promise<Harness<D>> {
  const env = await createTestEnvironment(name, options.overrides);
  const logLines: string[] = [];
  const dataSource = await openMetadataStore({ url: env.config.database.url, poolSize: 2, applicationName: 'test-harness', migrate: true });
  const processes: ServiceProcess[] = [];
  const spawnLogged = (service: 'api' | 'worker', extra: Record<string, string> = {}) => {
    const started = spawnService(service, { ...env.env, ...extra }, (line) => logLines.push(line), 'debug');
    processes.push(started);
    return started;
  };

  let app: Express | string;
  let deps = undefined as D;
  let closeApi: () => Promise<void> = async () => undefined;
  if (options.api === 'process') {
    const port = await freePort();
    spawnLogged('api', { PORT: String(port), HOST: '127.0.0.1' });
    app = `http://127.0.0.1:${port}`;
    await waitForHealthy(app, processes[0] as ServiceProcess);
  } else {
    const built = await options.api(env.config, capturingLogger('api', logLines));
    app = built.app;
    deps = built.deps;
    closeApi = built.close;
  }
  let stopWorker: () => Promise<void> = async () => undefined;
  if (options.worker === 'process') spawnLogged('worker');
  else if (options.worker) {
    const runtime = await options.worker(env.config, capturingLogger('worker', logLines));
    stopWorker = () => runtime.stop(5_000);
  }

  const access = new AccessRepository(dataSource);
  return {
    env,
    app,
    deps,
    dataSource,
    logLines,
    async createKey(workspaceId, role) {
      const key = generateApiKey();
      await access.createUserWithKey({ workspaceId, role, name: `${role} (test)`, keyHash: hashApiKey(key), hint: apiKeyHint(key) });
      return key;
    },
    async waitForStatus(jobId, key, until = (body) => ['completed', 'failed'].includes(body.status as string), timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await request(app).get(`/api/v1/export/status/${jobId}`).set('Authorization', `Bearer ${key}`);
        if (response.status !== 200) throw new Error(`status answered ${response.status}: ${JSON.stringify(response.body)}`);
        if (until(response.body as StatusBody)) return response.body as StatusBody;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${String(response.body.status)} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await stopWorker();
      await Promise.all(processes.map((service) => stopService(service)));
      await closeApi();
      await dataSource.destroy();
      await env.cleanup();
    },
  };
}

/** Waits until the API process answers /healthz (or fails if it exits first). */
async function waitForHealthy(baseUrl: string, service: ServiceProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`the API process exited: ${service.output.join('')}`);
    const isUp = await request(baseUrl)
      .get('/healthz')
      .then((response) => response.status === 200)
      .catch(() => false);
    if (isUp) return;
    if (Date.now() > deadline) throw new Error(`the API process did not become healthy: ${service.output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Downloads one file as bytes, with an API key (or, for a signed link, `null`: none). */
export async function download(app: Express | string, key: string | null, url: string, headers: Record<string, string> = {}) {
  const response = await request(app)
    .get(url)
    .set(key === null ? headers : { Authorization: `Bearer ${key}`, ...headers })
    .buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
  return { status: response.status, headers: response.headers as Record<string, string>, body: response.body as Buffer };
}

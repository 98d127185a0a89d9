import { PassThrough } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import type { Role } from '@export-service/contracts';
import { createLogger, type Logger } from '@export-service/logger';
import { AccessRepository } from '@export-service/db';
import { apiKeyHint, generateApiKey, hashApiKey } from '@export-service/security';
import { createTestEnvironment, type TestEnvironment } from '@export-service/testing';
import { createApp } from '../../src/app';
import type { ApiDeps } from '../../src/api-deps';
import { buildApiDeps } from '../../src/build-api-deps';
import { startWorkerRuntime, type WorkerRuntime } from '../../../worker/src/worker-runtime';

/** The API (and, when asked, a worker) running in this process against a fresh test world. */
export interface Harness {
  env: TestEnvironment;
  app: Express;
  deps: ApiDeps;
  /** Every log line the API and worker wrote, for secret scans. */
  logLines: string[];
  createKey(workspaceId: string, role: Role): Promise<string>;
  /** Polls status until `until` holds (default: completed or failed), with a deadline. */
  waitForStatus(jobId: string, key: string, until?: (body: StatusBody) => boolean, timeoutMs?: number): Promise<StatusBody>;
  close(): Promise<void>;
}

/** The status answer, loosely typed for tests. */
export type StatusBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function capturingLogger(service: string, lines: string[]): Logger {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return createLogger({ service, level: 'debug', format: 'json', stream });
}

/** Starts the API (and a worker) for one test file. */
export async function startHarness(name: string, options: { overrides?: Record<string, string>; withWorker?: boolean } = {}): Promise<Harness> {
  const env = await createTestEnvironment(name, options.overrides);
  const logLines: string[] = [];
  const { deps, close } = await buildApiDeps(env.config, capturingLogger('api', logLines));
  const worker: WorkerRuntime | null = options.withWorker === false ? null : await startWorkerRuntime(env.config, capturingLogger('worker', logLines));
  const app = createApp(deps);
  const access = new AccessRepository(deps.dataSource);
  return {
    env,
    app,
    deps,
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
      await worker?.stop(5_000);
      await close();
      await env.cleanup();
    },
  };
}

/** Downloads one file of a completed export as bytes. */
export async function download(app: Express, key: string, url: string, headers: Record<string, string> = {}) {
  const response = await request(app)
    .get(url)
    .set('Authorization', `Bearer ${key}`)
    .set(headers)
    .buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
  return { status: response.status, headers: response.headers as Record<string, string>, body: response.body as Buffer };
}

import type { Express } from 'express';
import { startHarness as startServiceHarness, type Harness as ServiceHarness } from '@export-service/testing';
import { createApp } from '../../src/app';
import type { ApiDeps } from '../../src/api-deps';
import { buildApiDeps } from '../../src/build-api-deps';

export { download, type StatusBody } from '@export-service/testing';

/** The API in this process (its deps at hand) and, unless told otherwise, a worker as its own process. */
export type Harness = ServiceHarness<ApiDeps> & { app: Express };

/** Starts the API for one test file; `withWorker: false` when the test starts its own workers. */
export async function startHarness(name: string, options: { overrides?: Record<string, string>; withWorker?: boolean } = {}): Promise<Harness> {
  const harness = await startServiceHarness<ApiDeps>(name, {
    overrides: options.overrides,
    api: async (config, logger) => {
      const { deps, close } = await buildApiDeps(config, logger);
      return { app: createApp(deps), deps, close };
    },
    worker: options.withWorker === false ? false : 'process',
  });
  return harness as Harness;
}

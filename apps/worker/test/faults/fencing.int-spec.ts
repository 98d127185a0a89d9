import { seedAnalytics } from '@export-service/analytics';
import { FROZEN_WORKER_SETTINGS, runFrozenWorker, startHarness, type Harness } from '@export-service/testing';

const WORKSPACE = 'ws_fence';
let harness: Harness;
let key: string;

beforeAll(async () => {
  harness = await startHarness('fencing', { api: 'process', worker: false, overrides: FROZEN_WORKER_SETTINGS });
  key = await harness.createKey(WORKSPACE, 'admin');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 400_000 });
}, 120_000);

afterAll(() => harness.close());

it('a worker frozen past its lock (SIGSTOP) and thawed while another runs the export: one completed export whose bytes match its checksum, never two', async () => {
  const outcome = await runFrozenWorker(harness, key, WORKSPACE);
  expect(outcome).toEqual({ status: 'completed', completedRuns: 1, runs: 2, problem: null, isListedFromCompletedRun: true, isNoticedByThawedWorker: true });
}, 300_000);

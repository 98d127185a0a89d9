import { seedAnalytics } from '@export-service/analytics';
import { KILL_STORM_SETTINGS, runKillStorm, startHarness, type Harness } from '@export-service/testing';

const WORKSPACE = 'ws_storm';
let harness: Harness;
let key: string;

beforeAll(async () => {
  harness = await startHarness('killstorm', {
    api: 'process',
    worker: false,
    overrides: KILL_STORM_SETTINGS,
  });
  key = await harness.createKey(WORKSPACE, 'admin');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 20_000 });
}, 120_000);

afterAll(() => harness.close());

it('50 SIGKILLs of the worker at random moments over 50 exports: every export completes, every row once', async () => {
  const outcome = await runKillStorm(harness, key, WORKSPACE, { exports: 50, kills: 50, seed: 20261130 });
  expect(outcome).toMatchObject({ exports: 50, kills: 50, completed: 50, failed: 0, damaged: 0, problems: [] });
  // Killed attempts are runs of their own: more runs than exports means the kills landed mid-export.
  expect(outcome.attempts).toBeGreaterThan(50);
}, 900_000);

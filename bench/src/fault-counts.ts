/**
 * Fault counts (`npm run bench:faults`): runs the fault-injection scenarios of issue 9 many times
 * against the real service (API and workers as processes, PostgreSQL, Redis) and prints how many
 * rounds came out whole. `--kills N --exports N` size the kill storm, `--frozen N` the frozen-worker
 * rounds. The same scenarios run, once each, inside `npm test`.
 */
import { parseArgs } from 'node:util';
import { seedAnalytics } from '@export-service/analytics';
import { FROZEN_WORKER_SETTINGS, KILL_STORM_SETTINGS, runFrozenWorker, runKillStorm, startHarness } from '@export-service/testing';

async function killStorm(exports: number, kills: number): Promise<void> {
  const harness = await startHarness('benchstorm', {
    api: 'process',
    worker: false,
    overrides: KILL_STORM_SETTINGS,
  });
  try {
    const key = await harness.createKey('ws_bench_storm', 'admin');
    await seedAnalytics(harness.env.analyticsPool, { workspaceId: 'ws_bench_storm', rows: 20_000 });
    const started = Date.now();
    const outcome = await runKillStorm(harness, key, 'ws_bench_storm', { exports, kills, seed: Date.now() % 2 ** 31 });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    console.log(`(f) kill storm: ${outcome.kills} SIGKILLs over ${outcome.exports} exports of 19,800 rows in ${seconds} s`);
    console.log(`    completed ${outcome.completed}/${outcome.exports}, failed ${outcome.failed}, damaged (checksum or rows) ${outcome.damaged}, attempts ${outcome.attempts}`);
    for (const problem of outcome.problems) console.log(`    ${problem}`);
  } finally {
    await harness.close();
  }
}

async function frozenWorkers(rounds: number): Promise<void> {
  const harness = await startHarness('benchfrozen', {
    api: 'process',
    worker: false,
    overrides: FROZEN_WORKER_SETTINGS,
  });
  try {
    const key = await harness.createKey('ws_bench_frozen', 'admin');
    await seedAnalytics(harness.env.analyticsPool, { workspaceId: 'ws_bench_frozen', rows: 400_000 });
    let whole = 0;
    let twoCompleted = 0;
    let noticed = 0;
    for (let round = 0; round < rounds; round += 1) {
      const outcome = await runFrozenWorker(harness, key, 'ws_bench_frozen');
      const isWhole = outcome.status === 'completed' && outcome.completedRuns === 1 && outcome.problem === null && outcome.isListedFromCompletedRun;
      if (isWhole) whole += 1;
      if (outcome.completedRuns > 1) twoCompleted += 1;
      if (outcome.isNoticedByThawedWorker) noticed += 1;
      if (!isWhole) console.log(`    round ${round + 1}: ${JSON.stringify(outcome)}`);
    }
    console.log(`(a) frozen worker (SIGSTOP past its lock, SIGCONT while a second worker runs the export), ${rounds} rounds of 396,000 rows`);
    console.log(
      `    one completed export whose bytes match its checksum: ${whole}/${rounds}; two completed attempts: ${twoCompleted}; thawed worker noticed it lost the job: ${noticed}/${rounds}`,
    );
  } finally {
    await harness.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { exports: { type: 'string' }, kills: { type: 'string' }, frozen: { type: 'string' } } });
  await killStorm(Number(values.exports ?? 50), Number(values.kills ?? 50));
  await frozenWorkers(Number(values.frozen ?? 5));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

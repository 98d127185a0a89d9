import { runUndisturbed, type Disturbance } from './undisturbed';

/** One kept run of a repeated measurement. */
export interface RunSummary {
  seconds: number;
  peakRssBytes: number;
  otherCpuSeconds: number;
  isOk: boolean;
}

/** A measurement repeated `repeat` times. */
export interface Repeated<T> {
  /** The run with the median time (a failed run, when one failed). */
  median: T;
  /** The run with the highest peak RSS. */
  highestRss: T;
  runs: RunSummary[];
  /** Runs set aside because other work disturbed them (see runUndisturbed). */
  discarded: Array<{ seconds: number; otherCpuSeconds: number }>;
}

/**
 * Runs a measurement `repeat` times (each one repeated while disturbed, up to `maxAttempts`) and picks
 * the median run by time and the run with the highest RSS. Stops at the first failure and returns it.
 */
export async function runRepeated<T>(
  name: string,
  settings: { repeat: number; maxAttempts: number },
  run: () => Promise<T>,
  describe: (measurement: T) => Disturbance & { peakRssBytes: number },
  log: (line: string) => void,
): Promise<Repeated<T>> {
  const kept: T[] = [];
  const discarded: Repeated<T>['discarded'] = [];
  for (let index = 0; index < settings.repeat; index += 1) {
    const label = settings.repeat > 1 ? `${name} (run ${index + 1}/${settings.repeat})` : name;
    const outcome = await runUndisturbed(label, settings.maxAttempts, run, describe, log);
    kept.push(outcome.kept);
    discarded.push(...outcome.discarded);
    if (!describe(outcome.kept).isOk) {
      return { median: outcome.kept, highestRss: outcome.kept, runs: kept.map((measurement) => summary(describe(measurement))), discarded };
    }
  }
  const byTime = [...kept].sort((a, b) => describe(a).seconds - describe(b).seconds);
  const median = byTime[Math.floor((byTime.length - 1) / 2)] as T;
  const highestRss = kept.reduce((best, candidate) => (describe(candidate).peakRssBytes > describe(best).peakRssBytes ? candidate : best));
  return { median, highestRss, runs: kept.map((measurement) => summary(describe(measurement))), discarded };
}

function summary({ seconds, peakRssBytes, otherCpuSeconds, isOk }: Disturbance & { peakRssBytes: number }): RunSummary {
  return { seconds, peakRssBytes, otherCpuSeconds, isOk };
}

/** Other processes may use up to this share of one core during a measurement before it is repeated. */
export const DISTURBED_SHARE = 0.15;

/** How long a measurement took, whether it succeeded, and how much CPU other processes used meanwhile. */
export interface Disturbance {
  seconds: number;
  otherCpuSeconds: number;
  /** Failures are findings: never repeated. */
  isOk: boolean;
}

/** Share of one core other processes used during a measurement. */
export function otherShare(disturbance: Disturbance): number {
  return disturbance.seconds > 0 ? disturbance.otherCpuSeconds / disturbance.seconds : 0;
}

/** A measurement and the attempts set aside because other work on the machine disturbed them. */
export interface Undisturbed<T> {
  kept: T;
  discarded: Array<{ seconds: number; otherCpuSeconds: number }>;
}

/**
 * Runs a measurement; while other processes used more than DISTURBED_SHARE of a core during it, runs it
 * again (at most `maxAttempts` in all) and keeps the least disturbed attempt. A failed attempt ends the
 * loop and is kept.
 */
export async function runUndisturbed<T>(
  name: string,
  maxAttempts: number,
  run: () => Promise<T>,
  disturbanceOf: (measurement: T) => Disturbance,
  log: (line: string) => void,
): Promise<Undisturbed<T>> {
  const attempts: T[] = [];
  let kept: T | undefined;
  while (kept === undefined) {
    const attempt = await run();
    attempts.push(attempt);
    const disturbance = disturbanceOf(attempt);
    const share = otherShare(disturbance);
    if (!disturbance.isOk || share <= DISTURBED_SHARE) kept = attempt;
    else if (attempts.length >= maxAttempts) {
      log(`${name}: other processes still used ${(share * 100).toFixed(0)}% of a core after ${attempts.length} attempts: keeping the least disturbed`);
      kept = attempts.reduce((best, candidate) => (otherShare(disturbanceOf(candidate)) < otherShare(disturbanceOf(best)) ? candidate : best));
    } else log(`${name}: other processes used ${(share * 100).toFixed(0)}% of a core meanwhile: measuring again`);
  }
  const discarded = attempts
    .filter((attempt) => attempt !== kept)
    .map((attempt) => {
      const { seconds, otherCpuSeconds } = disturbanceOf(attempt);
      return { seconds, otherCpuSeconds };
    });
  return { kept, discarded };
}

/** Events are retried for at least this long after they were written, then given up (dead). */
export const RETRY_HORIZON_MS = 24 * 3600_000;

/**
 * The wait after failed attempt number `attempt` (1-based): the schedule's entry for it, the last
 * one repeating, spread ±20 % so that many events failing together do not retry in step.
 *
 * @example
 * retryDelayMs(1, [5, 300, 1800]); // about 5 000 ms
 * retryDelayMs(9, [5, 300, 1800]); // about 1 800 000 ms
 */
export function retryDelayMs(attempt: number, delaysSeconds: readonly number[], random: () => number = Math.random): number {
  const seconds = delaysSeconds[Math.min(attempt, delaysSeconds.length) - 1] ?? 0;
  return Math.round(seconds * 1000 * (0.8 + 0.4 * random()));
}

/**
 * When to try again after a failed attempt at `now`, or undefined once the event has been
 * retried for the whole horizon (it is dead then).
 */
export function nextAttemptAt(input: {
  attempt: number;
  createdAt: number;
  now: number;
  delaysSeconds: readonly number[];
  horizonMs?: number;
  random?: () => number;
}): number | undefined {
  if (input.now - input.createdAt >= (input.horizonMs ?? RETRY_HORIZON_MS)) return undefined;
  return input.now + retryDelayMs(input.attempt, input.delaysSeconds, input.random);
}

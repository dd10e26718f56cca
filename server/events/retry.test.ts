import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_RETRY_DELAYS } from '../config/index.js';
import { nextAttemptAt, retryDelayMs, RETRY_HORIZON_MS } from './retry.js';

const low = () => 0;
const high = () => 0.999_999;

describe('retry schedule', () => {
  it('follows the configured delays, the last one repeating, within ±20 % jitter', () => {
    const delays = [5, 300, 1800];
    for (const [attempt, seconds] of [[1, 5], [2, 300], [3, 1800], [4, 1800], [40, 1800]] as const) {
      expect(retryDelayMs(attempt, delays, low)).toBe(seconds * 800);
      expect(retryDelayMs(attempt, delays, high)).toBe(Math.round(seconds * 1000 * (0.8 + 0.4 * high())));
      const sample = retryDelayMs(attempt, delays);
      expect(sample).toBeGreaterThanOrEqual(seconds * 800);
      expect(sample).toBeLessThanOrEqual(seconds * 1200);
    }
  });

  it('spreads events that failed together', () => {
    const samples = new Set(Array.from({ length: 20 }, () => retryDelayMs(2, [300])));
    expect(samples.size).toBeGreaterThan(10);
  });

  it('the production schedule grows even with the worst jitter, and keeps trying for at least 24 hours', () => {
    for (let attempt = 2; attempt <= DEFAULT_WEBHOOK_RETRY_DELAYS.length; attempt++) {
      expect(retryDelayMs(attempt, DEFAULT_WEBHOOK_RETRY_DELAYS, low)).toBeGreaterThan(retryDelayMs(attempt - 1, DEFAULT_WEBHOOK_RETRY_DELAYS, high));
    }
    // Every attempt fails at once: walk the schedule with the longest waits until the event is dead.
    const createdAt = 0;
    let now = createdAt;
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = nextAttemptAt({ attempt: attempts, createdAt, now, delaysSeconds: DEFAULT_WEBHOOK_RETRY_DELAYS, random: high });
      if (next === undefined) break;
      now = next;
    }
    expect(now - createdAt).toBeGreaterThanOrEqual(RETRY_HORIZON_MS);
    expect(attempts).toBeGreaterThanOrEqual(DEFAULT_WEBHOOK_RETRY_DELAYS.length);
    expect(attempts).toBeLessThan(20);
  });

  it('a failure before the horizon schedules the next attempt; one at or after it gives up', () => {
    const delays = [1];
    expect(nextAttemptAt({ attempt: 3, createdAt: 0, now: RETRY_HORIZON_MS - 1, delaysSeconds: delays, random: low })).toBe(RETRY_HORIZON_MS - 1 + 800);
    expect(nextAttemptAt({ attempt: 3, createdAt: 0, now: RETRY_HORIZON_MS, delaysSeconds: delays })).toBeUndefined();
    expect(nextAttemptAt({ attempt: 1, createdAt: 0, now: 500, delaysSeconds: delays, horizonMs: 400 })).toBeUndefined();
  });
});

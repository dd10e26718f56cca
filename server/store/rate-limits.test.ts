import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from './connect.js';
import { RateLimiter } from './rate-limits.js';
import { TEST_DIALECTS, openTestDatabase, stopSharedTestPostgres } from '../testing/postgres.js';

afterAll(() => stopSharedTestPostgres());

describe.each(TEST_DIALECTS)('RateLimiter on %s', (dialect) => {
  let database: DatabaseHandle;
  let clock = 1_000_000;
  let limiter: RateLimiter;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    limiter = new RateLimiter(database.db, () => clock);
  });
  afterAll(() => database.close());

  it('allows up to the limit in one window, then refuses with the time left', async () => {
    clock = 60_000 * 100 + 7_000;
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await limiter.hit('fixed', 3, 60_000));
    clock += 15_000;
    results.push(await limiter.hit('fixed', 3, 60_000));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.hits)).toEqual([1, 2, 3, 4]);
    expect(results[3]!.retryAfterMs).toBe(45_000);
    expect(results[0]!.retryAfterMs).toBe(0);
  });

  it('starts a fresh count once the window has passed, not before', async () => {
    clock = 60_000 * 200 + 30_000;
    for (let i = 0; i < 3; i += 1) await limiter.hit('rollover', 2, 60_000);
    clock += 59_999;
    expect(await limiter.hit('rollover', 2, 60_000)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    clock += 1;
    expect(await limiter.hit('rollover', 2, 60_000)).toEqual({ allowed: true, hits: 1, retryAfterMs: 0 });
  });

  it('counts a burst that crosses a minute of the clock as one window', async () => {
    clock = 60_000 * 250 - 1;
    expect((await limiter.hit('straddle', 1, 60_000)).allowed).toBe(true);
    clock += 2;
    expect((await limiter.hit('straddle', 1, 60_000)).allowed).toBe(false);
  });

  it('keeps buckets apart', async () => {
    clock = 60_000 * 300;
    await limiter.hit('a', 1, 60_000);
    expect((await limiter.hit('a', 1, 60_000)).allowed).toBe(false);
    expect((await limiter.hit('b', 1, 60_000)).allowed).toBe(true);
  });

  it('counts every one of many concurrent hits exactly once', async () => {
    clock = 60_000 * 400;
    const results = await Promise.all(Array.from({ length: 50 }, () => limiter.hit('burst', 10, 60_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.map((r) => r.hits).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('reset forgets a bucket and prune drops old windows', async () => {
    clock = 60_000 * 500;
    await limiter.hit('reset-me', 1, 60_000);
    await limiter.reset('reset-me');
    expect((await limiter.hit('reset-me', 1, 60_000)).allowed).toBe(true);
    clock += 10 * 60_000;
    expect(await limiter.prune(5 * 60_000)).toBeGreaterThan(0);
    const left = await database.db.selectFrom('rate_limits').select('bucket').execute();
    expect(left).toEqual([]);
  });

  it('rejects a window that is not a positive whole number', async () => {
    await expect(limiter.hit('x', 1, 0)).rejects.toThrow(RangeError);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../store/connect.js';
import { TEST_DIALECTS, openTestDatabase, stopSharedTestPostgres } from '../../testing/postgres.js';
import { jitteredBackoff, NoSlotError, parseRetryAfter, PriorityGate, TokenPace } from './index.js';

afterAll(() => stopSharedTestPostgres());

describe.each(TEST_DIALECTS)('TokenPace on %s', (dialect) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.close());

  it('two instances taking slots at once share one budget: every slot is a distinct interval', async () => {
    // Two TokenPace objects on one database stand for two server instances.
    const a = new TokenPace(database.db, { ratePerSecond: 200 });
    const b = new TokenPace(database.db, { ratePerSecond: 200 });
    const before = Math.max(Date.now(), await a.nextAt('google'));
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).take('google', { latestStart: Date.now() + 60_000 })));
    const after = await a.nextAt('google');
    // 40 reservations moved the shared clock on by at least 40 intervals: none was counted twice or lost.
    expect(after - before).toBeGreaterThanOrEqual(40 * a.intervalMs);
    // Another provider has its own budget.
    expect(await a.nextAt('microsoft')).toBeLessThanOrEqual(Date.now());
  });

  it('a host that cannot get a slot before its deadline is told when the next one is', async () => {
    const pace = new TokenPace(database.db, { ratePerSecond: 1 });
    await pace.pauseUntil('microsoft', Date.now() + 30_000);
    const error = await pace.take('microsoft', { latestStart: Date.now() + 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSlotError);
    expect((error as NoSlotError).retryAfterMs).toBeGreaterThan(20_000);
  });

  it('a pause never moves the budget backwards', async () => {
    const pace = new TokenPace(database.db, { ratePerSecond: 1 });
    const far = Date.now() + 120_000;
    await pace.pauseUntil('google', far);
    await pace.pauseUntil('google', Date.now() + 1000);
    expect(await pace.nextAt('google')).toBeGreaterThanOrEqual(far);
  });

  it('background work waiting for a free slot stops when aborted', async () => {
    const pace = new TokenPace(database.db, { ratePerSecond: 1 });
    await pace.pauseUntil('google', Date.now() + 600_000);
    const stop = new AbortController();
    const waiting = pace.take('google', { signal: stop.signal });
    stop.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow(); // an AbortError, long before the 10-minute pause ends
  });
});

describe('PriorityGate', () => {
  it('lets a waiting host in before background work that waited longer', async () => {
    const gate = new PriorityGate(1);
    const release = await gate.acquire(() => 'background');
    const order: string[] = [];
    const background = gate.acquire(() => 'background').then((done) => (order.push('background'), done));
    const host = gate.acquire(() => 'host').then((done) => (order.push('host'), done));
    release();
    (await host)();
    (await background)();
    expect(order).toEqual(['host', 'background']);
  });

  it('never has more holders than its limit', async () => {
    const gate = new PriorityGate(2);
    let holding = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const release = await gate.acquire(() => 'host');
        most = Math.max(most, ++holding);
        await new Promise((resolve) => setImmediate(resolve));
        holding -= 1;
        release();
      }),
    );
    expect(most).toBe(2);
  });
});

describe('back-off', () => {
  it('grows four-fold, stays within half and all of its ceiling, and is capped', () => {
    expect(jitteredBackoff(1, 1000, 30_000, () => 0)).toBe(500);
    expect(jitteredBackoff(1, 1000, 30_000, () => 1)).toBe(1000);
    expect(jitteredBackoff(3, 1000, 30_000, () => 1)).toBe(16_000);
    expect(jitteredBackoff(9, 1000, 30_000, () => 1)).toBe(30_000);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores nonsense', () => {
    const now = Date.parse('2026-11-30T01:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 01:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
  });
});

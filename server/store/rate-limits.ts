import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** The outcome of one counted attempt. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Attempts counted in the current window, this one included. */
  hits: number;
  /** 0 when allowed; otherwise how long until the window resets (for a `Retry-After` header). */
  retryAfterMs: number;
}

/**
 * Fixed-window rate limits kept in the `rate_limits` table, so every server instance sharing
 * the database draws on the same budget. Each `hit` is one atomic upsert (`INSERT … ON CONFLICT
 * DO UPDATE … RETURNING`), which SQLite and PostgreSQL both run without a race: two instances
 * counting at once never lose a hit.
 *
 * A bucket's window opens at its first hit and lasts `windowMs`; the first hit after it closes
 * opens the next one. (Windows aligned to the clock would let a burst that straddles a boundary
 * through twice, and make limits flaky to test.) A bucket name should include what it limits and
 * for whom (`test:acme`, `detect:203.0.113.9`).
 *
 * @example
 * const limits = new RateLimiter(services.database.db);
 * const { allowed, retryAfterMs } = await limits.hit(`test:${accountId}`, 10, 60_000);
 * if (!allowed) throw new AppError('RATE_LIMITED', `Too many tests; try again in ${Math.ceil(retryAfterMs / 1000)} s.`);
 */
export class RateLimiter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt against `bucket` and says whether it is within `limit` per `windowMs`. */
  async hit(bucket: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    if (!Number.isInteger(windowMs) || windowMs <= 0) throw new RangeError('windowMs must be a positive whole number.');
    const now = this.now();
    const closedBefore = now - windowMs; // a window that began at or before this has ended
    const row = await this.db
      .insertInto('rate_limits')
      .values({ bucket, window_start: now, hits: 1 })
      .onConflict((oc) =>
        oc.column('bucket').doUpdateSet({
          // Both expressions read the row as it was before this statement (SQL semantics).
          hits: sql<number>`CASE WHEN rate_limits.window_start <= ${closedBefore} THEN 1 ELSE rate_limits.hits + 1 END`,
          window_start: sql<number>`CASE WHEN rate_limits.window_start <= ${closedBefore} THEN ${now} ELSE rate_limits.window_start END`,
        }),
      )
      .returning(['hits', 'window_start'])
      .executeTakeFirstOrThrow();
    const hits = Number(row.hits);
    const allowed = hits <= limit;
    return { allowed, hits, retryAfterMs: allowed ? 0 : Math.max(1, Number(row.window_start) + windowMs - now) };
  }

  /** Forgets one bucket (after a successful login, for example). */
  async reset(bucket: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('bucket', '=', bucket).execute();
  }

  /** Deletes counters whose window began more than `olderThanMs` ago; returns how many. */
  async prune(olderThanMs: number): Promise<number> {
    const result = await this.db.deleteFrom('rate_limits').where('window_start', '<', this.now() - olderThanMs).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Database, OAuthProviderId } from '../../store/database.js';

/** No slot could be had early enough; `retryAfterMs` says when the budget frees up. */
export class NoSlotError extends Error {
  override name = 'NoSlotError';
  constructor(readonly retryAfterMs: number) {
    super(`No token-request slot within the wait allowed; the next one is in ${retryAfterMs} ms.`);
  }
}

export interface TokenPaceOptions {
  /** Token-endpoint requests per second per provider, across every instance on this database. */
  ratePerSecond: number;
  now?: () => number;
}

/**
 * The per-provider token bucket, counted in the database so every instance shares it: a GCRA
 * ("virtual scheduling") with one row per provider holding the earliest start of the next request.
 * Reserving a slot is one atomic upsert that moves `next_at` on by 1/rate — the same statement on
 * SQLite (the write lock) and PostgreSQL (the row lock) — so two instances never take one slot.
 *
 * Host requests may reserve a slot ahead in the queue (up to their deadline); background work only
 * takes the next slot (at most one interval ahead), so it never makes a host wait more than about
 * one interval.
 *
 * @example
 * const pace = new TokenPace(db, { ratePerSecond: 10 });
 * await pace.take('google', { latestStart: Date.now() + 9000 }); // resolves when our slot begins
 */
export class TokenPace {
  readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: TokenPaceOptions,
  ) {
    // Rounded up: never faster than the configured rate, and whole milliseconds for BIGINT.
    this.intervalMs = Math.max(1, Math.ceil(1000 / options.ratePerSecond));
    this.now = options.now ?? Date.now;
  }

  /**
   * Waits for, and takes, one token-request slot for `provider`. With `latestStart` (a time, or a
   * function read on every turn) the slot may
   * be queued until then (a host's deadline); otherwise only the next slot is taken (at most one
   * interval ahead), and the call waits and tries again until it gets one. Throws `NoSlotError` when `latestStart` cannot
   * be met, and the signal's reason when aborted.
   */
  async take(provider: OAuthProviderId, options: { latestStart?: number | (() => number | undefined); signal?: AbortSignal } = {}): Promise<void> {
    for (;;) {
      options.signal?.throwIfAborted();
      const now = this.now();
      // Read on every turn: a background wait that a host joins may queue from then on.
      const latestStart = typeof options.latestStart === 'function' ? options.latestStart() : options.latestStart;
      // Background work may take the next slot (at most one interval ahead), never one further back.
      const start = await this.reserve(provider, now, latestStart ?? now + this.intervalMs);
      if (start !== undefined) {
        if (start > now) await sleep(start - now, undefined, { signal: options.signal });
        return;
      }
      const nextAt = await this.nextAt(provider);
      if (latestStart !== undefined) throw new NoSlotError(Math.max(1, nextAt - now));
      // Background: wake when the next slot comes within reach, spread a little so instances do not collide.
      const wait = Math.max(1, nextAt - this.intervalMs - now) + Math.floor((Math.random() * this.intervalMs) / 4);
      await sleep(wait, undefined, { signal: options.signal });
    }
  }

  /** The provider asked us to slow down: nobody starts a token request before `until`. */
  async pauseUntil(provider: OAuthProviderId, until: number): Promise<void> {
    await sql`
      INSERT INTO oauth_token_pace (provider, next_at) VALUES (${provider}, ${until})
      ON CONFLICT (provider) DO UPDATE SET next_at =
        CASE WHEN oauth_token_pace.next_at < ${until} THEN ${until} ELSE oauth_token_pace.next_at END`.execute(this.db);
  }

  /** When the next slot begins (now or earlier when the budget is idle). */
  async nextAt(provider: OAuthProviderId): Promise<number> {
    const row = await this.db.selectFrom('oauth_token_pace').select('next_at').where('provider', '=', provider).executeTakeFirst();
    return Number(row?.next_at ?? 0);
  }

  /** Takes the next slot if it starts no later than `latestStart`; returns its start. */
  private async reserve(provider: OAuthProviderId, now: number, latestStart: number): Promise<number | undefined> {
    const interval = this.intervalMs;
    const { rows } = await sql<{ next_at: number | string }>`
      INSERT INTO oauth_token_pace (provider, next_at) VALUES (${provider}, ${now + interval})
      ON CONFLICT (provider) DO UPDATE SET next_at =
        CASE WHEN oauth_token_pace.next_at < ${now} THEN ${now + interval} ELSE oauth_token_pace.next_at + ${interval} END
      WHERE oauth_token_pace.next_at <= ${latestStart}
      RETURNING next_at`.execute(this.db);
    const nextAt = rows[0]?.next_at;
    return nextAt === undefined ? undefined : Number(nextAt) - interval;
  }
}

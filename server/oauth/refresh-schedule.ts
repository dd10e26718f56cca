import { sql, type Kysely } from 'kysely';
import type { Database, OAuthProviderId } from '../store/database.js';
import type { Dialect } from '../store/connect.js';

export interface ScheduleOptions {
  /** A token a host asked for within this window is renewed ahead (default 2 h). */
  usedWithinMs?: number;
  /** Microsoft grants unused for this long get a keep-alive refresh (default 7 days; they lapse after 90). */
  keepAliveMs?: number;
  /** How long before it is due a renewal is planned, beyond the refresh margin (default 60 s: one refresher round). */
  lookaheadMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface ClaimedRenewal {
  credentialId: string;
  lastUsedAt: number | null;
}

const DEFAULTS = { usedWithinMs: 2 * 3600_000, keepAliveMs: 7 * 24 * 3600_000, lookaheadMs: 60_000 };
/** Renewals are spread over up to this share of a token's lifetime, so a burst never comes back as a burst. */
const SPREAD_SHARE = 0.25;
const MAX_SPREAD_MS = 15 * 60_000;
const KEEP_ALIVE_SPREAD_MS = 24 * 3600_000;

/** A token is due when less than min(5 minutes, half its lifetime) remains (DESIGN.md). */
export function refreshMarginMs(issuedAt: number | null, expiresAt: number, maxMarginMs = 5 * 60_000): number {
  const lifetime = issuedAt === null ? Infinity : Math.max(0, expiresAt - issuedAt);
  return Math.min(maxMarginMs, lifetime / 2);
}

/** How far ahead of the margin renewals may be spread, for a token of this lifetime. */
export function renewalSpreadMs(issuedAt: number | null, expiresAt: number): number {
  const lifetime = issuedAt === null ? 3600_000 : Math.max(0, expiresAt - issuedAt);
  return Math.min(MAX_SPREAD_MS, lifetime * SPREAD_SHARE);
}

/**
 * The `oauth_refresh_schedule` table: when the background refresher renews each credential next.
 * Only tokens that hosts use are planned ahead (the credentials endpoint calls `recordUse`), plus
 * the keep-alive Microsoft grants need; each plan is jittered over part of the token's lifetime.
 * The refresher claims due rows in small batches (`claimDue`), so it never lists all credentials.
 */
export class RefreshSchedule {
  private readonly options: Required<ScheduleOptions>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    options: ScheduleOptions = {},
  ) {
    this.options = { ...DEFAULTS, now: Date.now, random: Math.random, ...options };
  }

  get usedWithinMs(): number {
    return this.options.usedWithinMs;
  }

  get keepAliveMs(): number {
    return this.options.keepAliveMs;
  }

  /**
   * When a token of this credential should be renewed ahead: a random point in the spread before
   * its margin for a token in use, the keep-alive date for an idle Microsoft grant, else never.
   */
  plan(input: { provider: OAuthProviderId; issuedAt: number | null; expiresAt: number | null; lastUsedAt: number | null }): number | null {
    const { now, random, usedWithinMs, keepAliveMs, lookaheadMs } = this.options;
    const inUse = input.lastUsedAt !== null && input.lastUsedAt > now() - usedWithinMs;
    if (inUse && input.expiresAt !== null) {
      const margin = refreshMarginMs(input.issuedAt, input.expiresAt);
      const spread = renewalSpreadMs(input.issuedAt, input.expiresAt);
      return Math.round(input.expiresAt - margin - lookaheadMs - random() * spread);
    }
    if (input.provider === 'microsoft') {
      return Math.round((input.issuedAt ?? now()) + keepAliveMs - random() * KEEP_ALIVE_SPREAD_MS);
    }
    return null;
  }

  /** Whether a token in use should be renewed by the background now (re-checked on a claimed row). */
  isDueAhead(input: { issuedAt: number | null; expiresAt: number | null; lastUsedAt: number | null }): boolean {
    const { now, usedWithinMs, lookaheadMs } = this.options;
    if (input.lastUsedAt === null || input.lastUsedAt <= now() - usedWithinMs) return false;
    if (input.expiresAt === null) return true;
    const margin = refreshMarginMs(input.issuedAt, input.expiresAt);
    return input.expiresAt - now() < margin + lookaheadMs + renewalSpreadMs(input.issuedAt, input.expiresAt);
  }

  /** Whether an idle Microsoft grant needs its keep-alive refresh. */
  needsKeepAlive(input: { provider: OAuthProviderId; issuedAt: number | null }): boolean {
    return input.provider === 'microsoft' && (input.issuedAt ?? 0) < this.options.now() - this.options.keepAliveMs;
  }

  /** Sets the next renewal; `null` plans none. */
  async set(credentialId: string, dueAt: number | null): Promise<void> {
    await this.db
      .insertInto('oauth_refresh_schedule')
      .values({ credential_id: credentialId, due_at: dueAt, last_used_at: null })
      .onConflict((oc) => oc.column('credential_id').doUpdateSet({ due_at: dueAt }))
      .execute();
  }

  /** A host asked for this credential's token: note it, and plan a renewal no later than `renewAt`. */
  async recordUse(credentialId: string, renewAt: number | null): Promise<void> {
    const now = this.options.now();
    await sql`
      INSERT INTO oauth_refresh_schedule (credential_id, due_at, last_used_at) VALUES (${credentialId}, ${renewAt}, ${now})
      ON CONFLICT (credential_id) DO UPDATE SET last_used_at = ${now},
        due_at = CASE WHEN oauth_refresh_schedule.due_at IS NULL OR oauth_refresh_schedule.due_at > ${renewAt}
                      THEN ${renewAt} ELSE oauth_refresh_schedule.due_at END`.execute(this.db);
  }

  async lastUsedAt(credentialId: string): Promise<number | null> {
    const row = await this.db.selectFrom('oauth_refresh_schedule').select('last_used_at').where('credential_id', '=', credentialId).executeTakeFirst();
    return row?.last_used_at === undefined || row.last_used_at === null ? null : Number(row.last_used_at);
  }

  async remove(credentialId: string): Promise<void> {
    await this.db.deleteFrom('oauth_refresh_schedule').where('credential_id', '=', credentialId).execute();
  }

  /**
   * Claims up to `limit` due rows, oldest first, and moves their `due_at` to `now + leaseMs` in
   * the same statement: the claim lease. Another claimer skips them (PostgreSQL: `FOR UPDATE SKIP
   * LOCKED`; SQLite: one statement is one write transaction), and a claimer that dies leaves them
   * to come back when the lease ends.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedRenewal[]> {
    const now = this.options.now();
    const lock = this.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const { rows } = await sql<{ credential_id: string; last_used_at: number | string | null }>`
      UPDATE oauth_refresh_schedule SET due_at = ${now + leaseMs}
      WHERE credential_id IN (
        SELECT credential_id FROM oauth_refresh_schedule
        WHERE due_at <= ${now} ORDER BY due_at LIMIT ${limit} ${lock})
      RETURNING credential_id, last_used_at`.execute(this.db);
    return rows.map((row) => ({ credentialId: row.credential_id, lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at) }));
  }

  /**
   * Plans credentials that have no schedule row yet — newly connected ones (`updatedSince`, through
   * the `updated_at` index) or, once per process, all stored before this table existed: the
   * keep-alive for Microsoft. In batches, so it never loads them all. Returns how many.
   */
  async backfill(options: { updatedSince?: number; batch?: number } = {}): Promise<number> {
    const batch = options.batch ?? 1000;
    let added = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('oauth_credentials as c')
        .leftJoin('oauth_refresh_schedule as s', 's.credential_id', 'c.id')
        .select(['c.id', 'c.provider', 'c.last_refreshed_at', 'c.access_expires_at'])
        // No plan yet, or a reconnected Microsoft grant whose plan was dropped when it needed reauthorisation.
        .where((eb) => eb.or([eb('s.credential_id', 'is', null), eb.and([eb('s.due_at', 'is', null), eb('c.provider', '=', 'microsoft')])]))
        .where('c.status', '=', 'active')
        .$if(options.updatedSince !== undefined, (qb) => qb.where('c.updated_at', '>=', options.updatedSince!))
        .limit(batch)
        .execute();
      if (rows.length === 0) return added;
      await this.db
        .insertInto('oauth_refresh_schedule')
        .values(
          rows.map((row) => ({
            credential_id: row.id,
            due_at: this.plan({ provider: row.provider, issuedAt: row.last_refreshed_at, expiresAt: row.access_expires_at, lastUsedAt: null }),
            last_used_at: null,
          })),
        )
        .onConflict((oc) => oc.column('credential_id').doUpdateSet((eb) => ({ due_at: eb.ref('excluded.due_at') })).where('oauth_refresh_schedule.due_at', 'is', null))
        .execute();
      added += rows.length;
      if (rows.length < batch) return added;
    }
  }
}

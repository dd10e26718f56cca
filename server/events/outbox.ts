import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AccountEventBody } from '../contract/events.js';
import type { Dialect } from '../store/connect.js';
import type { AccountEventRow, Database } from '../store/database.js';

/** How long finished (delivered or dead) events stay listed before they are pruned (README "Account events"). */
export const EVENT_RETENTION_MS = 30 * 24 * 3600_000;
const PRUNE_BATCH = 5000;

/** What one delivery attempt ended with. */
export interface AttemptOutcome {
  /** When the attempt started. */
  at: number;
  /** When its answer (or its failure) came. */
  settledAt: number;
  /** The HTTP status, or null when no answer came. */
  status: number | null;
  /** Why no answer came (`timeout`, `ECONNREFUSED`…), or null. */
  error: string | null;
}

/**
 * The `account_events` table: events written in the transaction that caused them, claimed by a
 * sender under a lease so that one instance sends a given event, and kept with their delivery
 * state until the retention has passed.
 */
export class Outbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Adds events inside the caller's transaction; each gets its `webhook-id` here, for good. */
  async enqueue(trx: Kysely<Database>, events: AccountEventBody[], at: number): Promise<void> {
    if (events.length === 0) return;
    await trx
      .insertInto('account_events')
      .values(
        events.map((event) => ({
          id: `msg_${randomUUID().replaceAll('-', '')}`,
          account_id: event.data.accountId,
          type: event.type,
          payload: JSON.stringify(event),
          created_at: at,
          next_attempt_at: at,
        })),
      )
      .execute();
  }

  /**
   * Leases up to `limit` due events to `owner` in one statement: on PostgreSQL the candidates are
   * locked with `FOR UPDATE SKIP LOCKED`, so concurrent senders take disjoint sets; on SQLite the
   * statement holds the write lock. A lease that runs out (a killed sender) frees the event again.
   */
  async claimDue(owner: string, now: number, leaseMs: number, limit: number): Promise<AccountEventRow[]> {
    const candidates = this.db
      .selectFrom('account_events')
      .select('id')
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('next_attempt_at')
      .limit(limit);
    return this.db
      .updateTable('account_events')
      .set({ lease_owner: owner, lease_until: now + leaseMs })
      .where('id', 'in', this.dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates)
      .returningAll()
      .execute();
  }

  /** A 2xx answer: delivered, whoever holds the lease now. */
  async markDelivered(id: string, outcome: AttemptOutcome): Promise<void> {
    await this.db
      .updateTable('account_events')
      .set({
        state: 'delivered',
        attempts: sql<number>`attempts + 1`,
        last_attempt_at: outcome.at,
        last_status: outcome.status,
        last_error: null,
        lease_owner: null,
        lease_until: null,
        finished_at: outcome.settledAt,
      })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .execute();
  }

  /** A failed attempt: the next one at `nextAttemptAt`, or dead when that is undefined. Only the lease holder records it. */
  async markFailed(id: string, owner: string, outcome: AttemptOutcome, nextAttemptAt: number | undefined): Promise<void> {
    await this.db
      .updateTable('account_events')
      .set({
        attempts: sql<number>`attempts + 1`,
        last_attempt_at: outcome.at,
        last_status: outcome.status,
        last_error: outcome.error,
        lease_owner: null,
        lease_until: null,
        ...(nextAttemptAt === undefined ? { state: 'dead' as const, finished_at: outcome.settledAt } : { next_attempt_at: nextAttemptAt }),
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /** Gives a leased event back untouched (the sender is stopping). */
  async release(id: string, owner: string): Promise<void> {
    await this.db.updateTable('account_events').set({ lease_owner: null, lease_until: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  /** An account's most recent events, newest first. */
  listForAccount(accountId: string, limit: number): Promise<AccountEventRow[]> {
    return this.db
      .selectFrom('account_events')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Deletes events finished (delivered or dead) before `before`, at most 5000 per statement
   * through the finished_at index, so no statement holds the database for long. Pending events
   * are never pruned. Returns how many went.
   */
  async prune(before: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = this.db.selectFrom('account_events').select('id').where('finished_at', '<', before).orderBy('finished_at').limit(PRUNE_BATCH);
      const result = await this.db.deleteFrom('account_events').where('id', 'in', batch).executeTakeFirst();
      const count = Number(result.numDeletedRows);
      deleted += count;
      if (count < PRUNE_BATCH) return deleted;
    }
  }
}

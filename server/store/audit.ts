import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { Logger } from '../log/index.js';
import { redact } from '../log/index.js';
import type { RetentionRule } from './retention.js';

export interface AuditEntry {
  actor: 'host' | 'session' | 'system';
  accountId?: string;
  action: string;
  result: 'ok' | 'error';
  /** Non-secret facts (error codes, hosts); secret-looking keys are dropped anyway. */
  detail?: Record<string, unknown>;
  requestId?: string;
}

/** How long the audit tables keep their rows by default (the retention job may be told otherwise). */
export interface AuditRetention {
  /** Entries in `audit_log`: 365 days. */
  entriesMs: number;
  /** Daily counts of routine actions: 90 days. */
  countsMs: number;
}

/**
 * Actions a host repeats all day as a matter of routine: a successful one is counted per account,
 * UTC day and actor (`audit_daily_counts`) instead of written as a row each — a host polling every
 * five minutes would otherwise write 288 rows per account a day. Failures are still rows.
 */
export const ROUTINE_ACTIONS: ReadonlySet<string> = new Set(['credentials.read']);

export const DEFAULT_AUDIT_RETENTION: AuditRetention = { entriesMs: 365 * 86_400_000, countsMs: 90 * 86_400_000 };
const DAY_MS = 86_400_000;
const DELETE_BATCH = 5000;

/** Appends to the audit log and counts routine reads. Only the retention rules delete from it. */
export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      if (entry.result === 'ok' && entry.accountId !== undefined && ROUTINE_ACTIONS.has(entry.action)) {
        await this.count(entry.accountId, entry.action, entry.actor);
        return;
      }
      await this.db
        .insertInto('audit_log')
        .values({
          id: randomUUID(),
          at: this.now(),
          actor: entry.actor,
          account_id: entry.accountId ?? null,
          action: entry.action,
          result: entry.result,
          detail: entry.detail ? JSON.stringify(redact(entry.detail)) : null,
          request_id: entry.requestId ?? null,
        })
        .execute();
    } catch (error) {
      // An audit failure must not undo the user's action; it is reported for operators instead.
      this.logger?.error('audit log write failed', { action: entry.action, error });
    }
  }

  /**
   * The audit tables' rules for the retention job (`server/store/retention.ts`): entries are kept
   * a year, daily counts of routine reads 90 days. Each deletes in batches through its time index
   * (`audit_log_at`, `audit_daily_counts_day`), so no statement holds the database for long.
   */
  retentionRules(): RetentionRule[] {
    return [
      {
        table: 'audit_log',
        description: 'audit entries (sign-ins, saves, deletions, failures), by when they happened',
        defaultMs: DEFAULT_AUDIT_RETENTION.entriesMs,
        prune: (before) => this.pruneEntries(before),
      },
      {
        table: 'audit_daily_counts',
        description: "routine reads counted per account and day (the host's credential calls), by their day",
        defaultMs: DEFAULT_AUDIT_RETENTION.countsMs,
        prune: (before) => this.pruneCounts(before),
      },
    ];
  }

  /** Deletes entries from before `before`, 5,000 per statement, oldest first. */
  async pruneEntries(before: number): Promise<number> {
    let entries = 0;
    for (;;) {
      const { numDeletedRows } = await this.db
        .deleteFrom('audit_log')
        .where('id', 'in', (qb) => qb.selectFrom('audit_log').select('id').where('at', '<', before).orderBy('at').limit(DELETE_BATCH))
        .executeTakeFirst();
      entries += Number(numDeletedRows);
      if (Number(numDeletedRows) < DELETE_BATCH) return entries;
    }
  }

  /** Deletes the daily counts of days that ended before `before`, one day per statement (at most one row per account). */
  async pruneCounts(before: number): Promise<number> {
    const lastDay = Math.floor(before / DAY_MS) * DAY_MS - DAY_MS; // the newest day wholly before `before`
    let counts = 0;
    for (;;) {
      const oldest = await this.db.selectFrom('audit_daily_counts').select('day').where('day', '<=', lastDay).orderBy('day').limit(1).executeTakeFirst();
      if (!oldest) return counts;
      const { numDeletedRows } = await this.db.deleteFrom('audit_daily_counts').where('day', '=', oldest.day).executeTakeFirst();
      counts += Number(numDeletedRows);
    }
  }

  private async count(accountId: string, action: string, actor: string): Promise<void> {
    const day = Math.floor(this.now() / DAY_MS) * DAY_MS;
    await sql`
      INSERT INTO audit_daily_counts (account_id, day, action, actor, count) VALUES (${accountId}, ${day}, ${action}, ${actor}, 1)
      ON CONFLICT (account_id, day, action, actor) DO UPDATE SET count = audit_daily_counts.count + 1`.execute(this.db);
  }
}

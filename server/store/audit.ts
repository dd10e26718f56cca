import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { Logger } from '../log/index.js';
import { redact } from '../log/index.js';

export interface AuditEntry {
  actor: 'host' | 'session' | 'system';
  accountId?: string;
  action: string;
  result: 'ok' | 'error';
  /** Non-secret facts (error codes, hosts); secret-looking keys are dropped anyway. */
  detail?: Record<string, unknown>;
  requestId?: string;
}

export interface AuditRetention {
  /** Entries in `audit_log` are kept this long (default 365 days). */
  entriesMs: number;
  /** Daily counts of routine actions are kept this long (default 90 days). */
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

/** Appends to the audit log and counts routine reads. Nothing else updates or deletes it but `prune`. */
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
   * Deletes entries and daily counts older than the retention, in batches through the `at` and
   * `day` indexes so that no statement holds the database for long. Returns how many went.
   */
  async prune(retention: AuditRetention = DEFAULT_AUDIT_RETENTION): Promise<{ entries: number; counts: number }> {
    const now = this.now();
    const entriesBefore = now - retention.entriesMs;
    const countsBefore = Math.floor((now - retention.countsMs) / DAY_MS) * DAY_MS;
    let entries = 0;
    for (;;) {
      const { numDeletedRows } = await this.db
        .deleteFrom('audit_log')
        .where('id', 'in', (qb) => qb.selectFrom('audit_log').select('id').where('at', '<', entriesBefore).orderBy('at').limit(DELETE_BATCH))
        .executeTakeFirst();
      entries += Number(numDeletedRows);
      if (Number(numDeletedRows) < DELETE_BATCH) break;
    }
    let counts = 0;
    for (;;) {
      // One day per statement: at most one row per account.
      const oldest = await this.db.selectFrom('audit_daily_counts').select('day').where('day', '<', countsBefore).orderBy('day').limit(1).executeTakeFirst();
      if (!oldest) break;
      const { numDeletedRows } = await this.db.deleteFrom('audit_daily_counts').where('day', '=', oldest.day).executeTakeFirst();
      counts += Number(numDeletedRows);
    }
    return { entries, counts };
  }

  private async count(accountId: string, action: string, actor: string): Promise<void> {
    const day = Math.floor(this.now() / DAY_MS) * DAY_MS;
    await sql`
      INSERT INTO audit_daily_counts (account_id, day, action, actor, count) VALUES (${accountId}, ${day}, ${action}, ${actor}, 1)
      ON CONFLICT (account_id, day, action, actor) DO UPDATE SET count = audit_daily_counts.count + 1`.execute(this.db);
  }
}

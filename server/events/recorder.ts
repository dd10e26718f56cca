import { sql, type Kysely } from 'kysely';
import type { AccountChangeCause } from '../contract/events.js';
import type { DatabaseHandle } from '../store/connect.js';
import type { Database } from '../store/database.js';
import type { AccountChanges } from '../store/changes.js';
import type { Outbox } from './outbox.js';
import { readAccountSnapshot } from './snapshot.js';
import { eventBody, eventTypesFor } from './transitions.js';

export interface AccountEventRecorderOptions {
  database: DatabaseHandle;
  outbox: Outbox;
  /** False when no webhook URL is configured: changes run in a transaction and write no events. */
  enabled: boolean;
  /** Called after a commit that wrote events (wakes the sender). */
  onRecorded?: () => void;
  now?: () => number;
}

/**
 * The one place account events are born. `change()` runs the work in a single transaction
 * (an immediate one on SQLite, so the write lock is taken up front), reads the account's status
 * before and after it, and writes the events the difference calls for into the outbox before
 * the commit: the change and its events are saved together or not at all.
 *
 * @example
 * await events.change(accountId, 'test.recorded', (trx) => trx.updateTable('email_settings').set(…).execute());
 */
export class AccountEventRecorder implements AccountChanges {
  private readonly now: () => number;

  constructor(private readonly options: AccountEventRecorderOptions) {
    this.now = options.now ?? Date.now;
  }

  async change<T>(accountId: string, cause: AccountChangeCause, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    const { dialect } = this.options.database;
    let recorded = 0;
    const result = await this.transaction(async (trx) => {
      if (!this.options.enabled) return work(trx);
      const before = await readAccountSnapshot(trx, dialect, accountId);
      const value = await work(trx);
      const after = await readAccountSnapshot(trx, dialect, accountId);
      const at = this.now();
      const events = eventTypesFor(cause, before, after).map((type) => eventBody(type, cause, before, after, at));
      await this.options.outbox.enqueue(trx, events, at);
      recorded = events.length;
      return value;
    });
    if (recorded > 0) this.options.onRecorded?.();
    return result;
  }

  private transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    const { db, dialect } = this.options.database;
    if (dialect === 'postgres') return db.transaction().execute(work);
    // A deferred transaction that reads first and writes later fails with SQLITE_BUSY when another
    // process wrote in between; BEGIN IMMEDIATE waits for the write lock (busy_timeout) instead.
    return db.connection().execute(async (connection) => {
      await sql`BEGIN IMMEDIATE`.execute(connection);
      try {
        const value = await work(connection);
        await sql`COMMIT`.execute(connection);
        return value;
      } catch (error) {
        await sql`ROLLBACK`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
  }
}

import type { Kysely } from 'kysely';
import type { AccountChangeCause } from '../contract/events.js';
import type { Database } from './database.js';

/**
 * Runs a change to one account in one transaction and, when account events are on, writes the
 * events the change causes (status before vs after) into the outbox inside that same transaction.
 */
export interface AccountChanges {
  change<T>(accountId: string, cause: AccountChangeCause, work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
}

/**
 * `events.change(…)` when an event recorder is wired, otherwise a plain transaction: the one
 * way services (settings, OAuth credentials) make a change that may move an account's status.
 *
 * @example
 * await changeAccount(this.options.events, this.db, accountId, 'test.recorded', (trx) => trx.updateTable(…).execute());
 */
export function changeAccount<T>(
  events: AccountChanges | undefined,
  db: Kysely<Database>,
  accountId: string,
  cause: AccountChangeCause,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return events ? events.change(accountId, cause, work) : db.transaction().execute(work);
}

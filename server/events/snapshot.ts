import type { Kysely } from 'kysely';
import type { Database, EmailSettingsRow, OAuthCredentialRow } from '../store/database.js';
import type { Dialect } from '../store/connect.js';
import { savedCredential } from '../settings/account.js';
import { accountStatus, type AccountStatus } from '../settings/status.js';

/** An account as one transaction sees it: the saved row, its signed-in credential and its status. */
export interface AccountSnapshot {
  row: EmailSettingsRow;
  credential: OAuthCredentialRow | undefined;
  status: AccountStatus;
}

/**
 * Reads the account inside the change's transaction. On PostgreSQL the settings row is locked
 * (`FOR UPDATE`) so that two changes of one account compare their before and after in turn; on
 * SQLite the immediate transaction already holds the write lock.
 */
export async function readAccountSnapshot(trx: Kysely<Database>, dialect: Dialect, accountId: string): Promise<AccountSnapshot | undefined> {
  const query = trx.selectFrom('email_settings').selectAll().where('account_id', '=', accountId);
  const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (!row) return undefined;
  const credential = await savedCredential(trx, row);
  return { row, credential, status: accountStatus(row, credential) };
}

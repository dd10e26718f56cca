import type { Kysely } from 'kysely';
import type { Database, EmailSettingsRow, OAuthCredentialRow, OAuthProviderId } from '../store/database.js';
import { AppError } from '../contract/errors.js';

/**
 * The signed-in account versus the mailbox (DESIGN.md "Mailbox, signed-in account and status"):
 * the account is whose OAuth token is used, the mailbox is `imap.username` / `smtp.username`.
 */

const providerName = (provider: OAuthProviderId) => (provider === 'google' ? 'Google' : 'Microsoft');

/**
 * The credential of the signed-in account a save or a test uses: `account` when given; else the
 * account of this session's latest completed sign-in with the provider; else the one already
 * saved; else the account's most recent sign-in. Throws 409 `OAUTH_NOT_CONNECTED` when there is
 * none (or none for the named account).
 */
export async function resolveSignedInAccount(
  db: Kysely<Database>,
  accountId: string,
  input: { provider: OAuthProviderId; account?: string; sessionId?: string; saved?: EmailSettingsRow },
): Promise<OAuthCredentialRow> {
  const { provider } = input;
  const credentials = db.selectFrom('oauth_credentials').selectAll().where('account_id', '=', accountId).where('provider', '=', provider);
  if (input.account) {
    const wanted = input.account.toLowerCase();
    const rows = await credentials.execute();
    const match = rows.find((row) => row.email.toLowerCase() === wanted);
    if (!match) {
      throw new AppError('OAUTH_NOT_CONNECTED', `No ${providerName(provider)} sign-in for ${input.account} exists for this account; sign in with ${providerName(provider)} as ${input.account} first.`, { field: 'auth.account' });
    }
    return match;
  }
  if (input.sessionId) {
    const flow = await db
      .selectFrom('oauth_flows')
      .select('credential_id')
      .where('account_id', '=', accountId)
      .where('session_id', '=', input.sessionId)
      .where('provider', '=', provider)
      .where('status', '=', 'connected')
      .where('credential_id', 'is not', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    const fromFlow = flow?.credential_id ? await credentials.where('id', '=', flow.credential_id).executeTakeFirst() : undefined;
    if (fromFlow) return fromFlow;
  }
  if (input.saved?.auth_method === 'oauth' && input.saved.oauth_provider === provider) {
    const saved = await savedCredential(db, input.saved);
    if (saved) return saved;
  }
  const newest = await credentials.orderBy('updated_at', 'desc').executeTakeFirst();
  if (!newest) {
    throw new AppError('OAUTH_NOT_CONNECTED', `Sign in with ${providerName(provider)} first; no ${providerName(provider)} connection exists for this account.`, { field: 'auth.provider' });
  }
  return newest;
}

/**
 * Refuses a mailbox the signed-in account cannot open by design: Google has no IMAP delegation,
 * so a Google mailbox must be the signed-in address. (Microsoft 365 shared mailboxes are opened
 * with the mailbox as user name and the signed-in account's token; whether the account has access
 * is for the connection test to find out.)
 */
export function checkMailboxForAccount(provider: OAuthProviderId, account: string, mailboxes: string[]): void {
  if (provider !== 'google') return;
  const other = mailboxes.find((mailbox) => mailbox && mailbox.toLowerCase() !== account.toLowerCase());
  if (other === undefined) return;
  throw new AppError('ACCOUNT_MISMATCH', `You signed in with Google as ${account}, but this mailbox is ${other}. Google does not let one account open another mailbox over IMAP: sign in with Google as ${other}.`, { field: 'auth' });
}

/**
 * The credential of exactly the saved signed-in account — never simply the newest one, so a
 * sign-in with another account does not switch the host's mailbox. Settings saved before the
 * account was recorded use the credential of the mailbox address, else the newest.
 */
export async function savedCredential(db: Kysely<Database>, row: EmailSettingsRow): Promise<OAuthCredentialRow | undefined> {
  if (row.auth_method !== 'oauth' || !row.oauth_provider) return undefined;
  const credentials = db.selectFrom('oauth_credentials').selectAll().where('account_id', '=', row.account_id).where('provider', '=', row.oauth_provider);
  if (row.oauth_account) return credentials.where('email', '=', row.oauth_account).executeTakeFirst();
  return (
    (await credentials.where('email', '=', row.imap_username).executeTakeFirst()) ??
    (await credentials.orderBy('updated_at', 'desc').executeTakeFirst())
  );
}

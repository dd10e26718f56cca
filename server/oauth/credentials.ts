import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, OAuthCredentialRow, OAuthProviderId } from '../store/database.js';
import type { Dialect } from '../store/connect.js';
import type { Keyring } from '../crypto/keyring.js';
import type { TokenSet } from './client.js';
import { changeAccount, type AccountChanges } from '../store/changes.js';

const ACCESS_COLUMN = 'oauth_credentials.access_token_enc';
const REFRESH_COLUMN = 'oauth_credentials.refresh_token_enc';

/**
 * The `oauth_credentials` table: tokens encrypted per account and column, the status the
 * settings show (`active` / `needs_reauth`), and the refresh lease that lets only one process
 * at a time refresh a credential.
 */
export class CredentialStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    private readonly dialect: Dialect,
    private readonly now: () => number = Date.now,
    /** Account events: a sign-in or a refused grant can change the account's status. */
    private readonly events?: AccountChanges,
  ) {}

  /**
   * Stores the tokens of a finished sign-in. The same mailbox connected again updates its row
   * (UNIQUE account, provider, email) and becomes active again; a missing refresh token keeps
   * the one already stored.
   */
  async upsert(input: { accountId: string; provider: OAuthProviderId; email: string; tokens: TokenSet }): Promise<string> {
    const { accountId, provider, email, tokens } = input;
    const now = this.now();
    const context = (column: string) => ({ accountId, column });
    return changeAccount(this.events, this.db, accountId, 'oauth.connected', async (trx) => {
      const existing = await trx
        .selectFrom('oauth_credentials')
        .select(['id', 'refresh_token_enc'])
        .where('account_id', '=', accountId)
        .where('provider', '=', provider)
        .where('email', '=', email)
        .executeTakeFirst();
      const values = {
        scopes: (tokens.scopes ?? []).join(' '),
        access_token_enc: this.keyring.encrypt(tokens.accessToken, context(ACCESS_COLUMN)),
        refresh_token_enc: tokens.refreshToken
          ? this.keyring.encrypt(tokens.refreshToken, context(REFRESH_COLUMN))
          : existing?.refresh_token_enc ?? null,
        access_expires_at: tokens.expiresAt,
        status: 'active' as const,
        status_reason: null,
        refresh_lease_owner: null,
        refresh_lease_until: null,
        last_refreshed_at: now,
        updated_at: now,
      };
      if (existing) {
        await trx.updateTable('oauth_credentials').set(values).where('id', '=', existing.id).execute();
        return existing.id;
      }
      const id = randomUUID();
      await trx
        .insertInto('oauth_credentials')
        .values({ id, account_id: accountId, provider, email, created_at: now, ...values })
        .execute();
      return id;
    });
  }

  /** Whether this mailbox already has a stored refresh token (a reconnect may come without a new one). */
  async hasRefreshToken(accountId: string, provider: OAuthProviderId, email: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('oauth_credentials')
      .select('refresh_token_enc')
      .where('account_id', '=', accountId)
      .where('provider', '=', provider)
      .where('email', '=', email)
      .executeTakeFirst();
    return Boolean(row?.refresh_token_enc);
  }

  get(id: string): Promise<OAuthCredentialRow | undefined> {
    return this.db.selectFrom('oauth_credentials').selectAll().where('id', '=', id).executeTakeFirst();
  }

  accessToken(row: OAuthCredentialRow): string | undefined {
    return row.access_token_enc ? this.keyring.decrypt(row.access_token_enc, { accountId: row.account_id, column: ACCESS_COLUMN }) : undefined;
  }

  refreshToken(row: OAuthCredentialRow): string | undefined {
    return row.refresh_token_enc ? this.keyring.decrypt(row.refresh_token_enc, { accountId: row.account_id, column: REFRESH_COLUMN }) : undefined;
  }

  /**
   * Takes the refresh lease when nobody holds it (or the holder's lease ran out). One
   * conditional UPDATE: atomic on SQLite (the write lock) and on PostgreSQL (the row lock,
   * with the WHERE re-checked after waiting), so of many processes exactly one wins.
   */
  async tryLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const result = await this.db
      .updateTable('oauth_credentials')
      .set({ refresh_lease_owner: owner, refresh_lease_until: now + leaseMs })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('refresh_lease_until', 'is', null), eb('refresh_lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives the lease back without changing the tokens. */
  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable('oauth_credentials')
      .set({ refresh_lease_owner: null, refresh_lease_until: null })
      .where('id', '=', id)
      .where('refresh_lease_owner', '=', owner)
      .execute();
  }

  /**
   * Saves a refresh's result — the new access token and, when the provider rotated it, the new
   * refresh token — in one transaction, and releases the lease. Returns false when the lease
   * was lost meanwhile (nothing is written then).
   */
  async saveRefreshed(row: OAuthCredentialRow, owner: string, tokens: TokenSet): Promise<boolean> {
    const context = (column: string) => ({ accountId: row.account_id, column });
    const now = this.now();
    const update = (db: Kysely<Database>) =>
      db
        .updateTable('oauth_credentials')
        .set({
          access_token_enc: this.keyring.encrypt(tokens.accessToken, context(ACCESS_COLUMN)),
          ...(tokens.refreshToken ? { refresh_token_enc: this.keyring.encrypt(tokens.refreshToken, context(REFRESH_COLUMN)) } : {}),
          ...(tokens.scopes ? { scopes: tokens.scopes.join(' ') } : {}),
          access_expires_at: tokens.expiresAt,
          refresh_lease_owner: null,
          refresh_lease_until: null,
          last_refreshed_at: now,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .where('refresh_lease_owner', '=', owner)
        .executeTakeFirst();
    if (this.dialect === 'sqlite') {
      // One statement is one transaction; a read-then-write transaction could hit SQLITE_BUSY_SNAPSHOT under WAL.
      return Number((await update(this.db)).numUpdatedRows) === 1;
    }
    return this.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('oauth_credentials').select('refresh_lease_owner').where('id', '=', row.id).forUpdate().executeTakeFirst();
      if (current?.refresh_lease_owner !== owner) return false;
      return Number((await update(trx)).numUpdatedRows) === 1;
    });
  }

  /** The grant is gone: the settings show "needs reauthorisation" until the user reconnects. */
  async markNeedsReauth(id: string, owner: string, reason: string): Promise<void> {
    const accountId = (await this.get(id))?.account_id;
    if (accountId === undefined) return;
    await changeAccount(this.events, this.db, accountId, 'oauth.reauth_required', (trx) =>
      trx
        .updateTable('oauth_credentials')
        .set({ status: 'needs_reauth', status_reason: reason, refresh_lease_owner: null, refresh_lease_until: null, updated_at: this.now() })
        .where('id', '=', id)
        .where('refresh_lease_owner', '=', owner)
        .execute(),
    );
  }

  /** Active credentials whose access token ends before `expiringBefore`, or that were last refreshed before `idleSince` (keep-alive). */
  async dueForRefresh(input: { expiringBefore: number; idleSince?: number; provider?: OAuthProviderId }): Promise<string[]> {
    const rows = await this.db
      .selectFrom('oauth_credentials')
      .select('id')
      .where('status', '=', 'active')
      .where('refresh_token_enc', 'is not', null)
      .where((eb) => {
        const due = [eb('access_expires_at', '<', input.expiringBefore)];
        if (input.idleSince !== undefined) {
          const idle = eb('last_refreshed_at', '<', input.idleSince);
          due.push(input.provider ? eb.and([idle, eb('provider', '=', input.provider)]) : idle);
        }
        return eb.or(due);
      })
      .execute();
    return rows.map((row) => row.id);
  }
}

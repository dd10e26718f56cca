import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from './connect.js';
import { MIGRATIONS } from './migrations.js';

let handle: DatabaseHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

const columnsOf = async (table: string) =>
  (await handle!.db.introspection.getTables()).find((candidate) => candidate.name === table)!.columns.map((column) => column.name);

describe('migrations', () => {
  it('a fresh database has every column and records every step once', async () => {
    handle = await openDatabase({ sqliteFile: ':memory:' });
    expect(await columnsOf('email_settings')).toContain('oauth_account');
    const versions = (await handle.db.selectFrom('schema_version').select('version').orderBy('version').execute()).map((row) => row.version);
    expect(versions).toEqual([1, ...MIGRATIONS.map((migration) => migration.version)]);
  });

  it('adds email_settings.oauth_account to a database made before it, keeping the rows', async () => {
    handle = await openDatabase({ sqliteFile: ':memory:' });
    // Undo what the newest schema created, as a database from before migration 2 looks.
    await sql`ALTER TABLE email_settings DROP COLUMN oauth_account`.execute(handle.db);
    await handle.db.deleteFrom('schema_version').where('version', 'in', [2, 5]).execute();
    await sql`INSERT INTO email_settings (account_id, email, imap_host, imap_port, imap_security, imap_username, smtp_host, smtp_port, smtp_security, smtp_username, auth_method, oauth_provider, created_at, updated_at)
      VALUES ('old', 'support@acme.test', 'imap.acme.test', 993, 'tls', 'support@acme.test', 'smtp.acme.test', 587, 'starttls', 'support@acme.test', 'oauth', 'microsoft', 1, 1)`.execute(handle.db);
    expect(await columnsOf('email_settings')).not.toContain('oauth_account');
    // Two sign-ins for that account: the mailbox's own and a newer, personal one.
    for (const [id, email, at] of [['c-mailbox', 'support@acme.test', 1], ['c-personal', 'me@outlook.test', 2]] as const) {
      await handle.db
        .insertInto('oauth_credentials')
        .values({ id, account_id: 'old', provider: 'microsoft', email, access_token_enc: null, refresh_token_enc: null, access_expires_at: null, status_reason: null, refresh_lease_owner: null, refresh_lease_until: null, last_refreshed_at: null, created_at: at, updated_at: at })
        .execute();
    }

    const { applySchema } = await import('./connect.js');
    await applySchema(handle.db);
    expect(await columnsOf('email_settings')).toContain('oauth_account');
    const row = await handle.db.selectFrom('email_settings').select(['account_id', 'oauth_account']).executeTakeFirstOrThrow();
    // Filled in with the mailbox's own sign-in, not simply the newest.
    expect(row).toEqual({ account_id: 'old', oauth_account: 'support@acme.test' });
    // Running again changes nothing.
    await applySchema(handle.db);
    expect((await handle.db.selectFrom('schema_version').select('version').where('version', 'in', [2, 5]).execute()).length).toBe(2);
  });
});

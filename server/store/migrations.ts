import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/**
 * Schema changes that `CREATE … IF NOT EXISTS` in schema.sql cannot express (a new column on an
 * existing table). schema.sql always describes the newest schema, so a fresh database already has
 * what a step adds: every step must be harmless there (check first, then change). Each applied
 * step is recorded in `schema_version`. To add one: take the next free number, append it here.
 */
export interface Migration {
  version: number;
  description: string;
  up(db: Kysely<Database>): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 2,
    description: 'email_settings.oauth_account: the signed-in account whose token opens the mailbox',
    up: (db) => addColumnIfMissing(db, 'email_settings', 'oauth_account', 'TEXT'),
  },
  {
    version: 3,
    description: 'account_events: the webhook outbox (server/events)',
    // A new table: schema.sql creates it (IF NOT EXISTS) before the steps run. The step records
    // the version and refuses to go on if schema.sql and this code ever disagree.
    up: async (db) => {
      const tables = await db.introspection.getTables();
      if (!tables.some((table) => table.name === 'account_events')) throw new Error('schema.sql did not create account_events');
    },
  },
  {
    version: 4,
    description: 'oauth_flows.browser_hash: the OAuth callback is bound to the browser that opened the sign-in',
    up: (db) => addColumnIfMissing(db, 'oauth_flows', 'browser_hash', 'TEXT'),
  },
  {
    version: 5,
    description: 'email_settings.oauth_account for OAuth settings saved before it: the credential of the mailbox address, else the newest',
    // Without it a test could never be matched to such settings (their fingerprint names the account).
    up: async (db) => {
      await sql`
        UPDATE email_settings SET oauth_account = (
          SELECT c.email FROM oauth_credentials c
          WHERE c.account_id = email_settings.account_id AND c.provider = email_settings.oauth_provider
          ORDER BY CASE WHEN lower(c.email) = lower(email_settings.imap_username) THEN 0 ELSE 1 END, c.updated_at DESC
          LIMIT 1)
        WHERE auth_method = 'oauth' AND oauth_account IS NULL`.execute(db);
    },
  },
];

/** Applies the steps not yet recorded in `schema_version`, in order. */
export async function runMigrations(db: Kysely<Database>): Promise<void> {
  const applied = new Set((await db.selectFrom('schema_version').select('version').execute()).map((row) => row.version));
  for (const migration of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    await migration.up(db);
    await db
      .insertInto('schema_version')
      .values({ version: migration.version, applied_at: Date.now() })
      .onConflict((oc) => oc.column('version').doNothing())
      .execute();
  }
}

/** `ALTER TABLE … ADD COLUMN` unless the column exists (SQLite has no `ADD COLUMN IF NOT EXISTS`). */
async function addColumnIfMissing(db: Kysely<Database>, table: string, column: string, type: string): Promise<void> {
  const tables = await db.introspection.getTables();
  const found = tables.find((candidate) => candidate.name === table);
  if (!found || found.columns.some((candidate) => candidate.name === column)) return;
  await sql.raw(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`).execute(db);
}

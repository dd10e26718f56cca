import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from './connect.js';
import { ENCRYPTED_COLUMNS, type Database } from './database.js';
import { TEST_DIALECTS, openTestDatabase, stopSharedTestPostgres } from '../testing/postgres.js';

/**
 * Every column of every table in the Kysely types. The type makes `tsc` reject a column missing
 * here or unknown to `Database`; the test below compares the list with what schema.sql created.
 */
const COLUMNS: { [T in keyof Database]: Record<keyof Database[T], true> } = {
  schema_version: { version: true, applied_at: true },
  email_settings: {
    account_id: true, email: true, imap_host: true, imap_port: true, imap_security: true, imap_username: true,
    smtp_host: true, smtp_port: true, smtp_security: true, smtp_username: true, auth_method: true, oauth_provider: true, oauth_account: true,
    password_enc: true, smtp_password_enc: true, from_name: true, check_interval_seconds: true, delete_after_processing: true,
    allow_untrusted_tls: true, last_test_json: true, last_test_at: true, last_test_ok: true, created_at: true, updated_at: true,
  },
  oauth_credentials: {
    id: true, account_id: true, provider: true, email: true, scopes: true, access_token_enc: true, refresh_token_enc: true,
    access_expires_at: true, status: true, status_reason: true, refresh_lease_owner: true, refresh_lease_until: true,
    last_refreshed_at: true, created_at: true, updated_at: true,
  },
  oauth_flows: {
    id: true, state_hash: true, provider: true, account_id: true, session_id: true, origin: true, return_url: true,
    login_hint: true, code_verifier_enc: true, status: true, error_code: true, error_message: true, result_email: true,
    credential_id: true, created_at: true, expires_at: true, consumed_at: true, browser_hash: true,
  },
  connection_tests: { account_id: true, fingerprint: true, ok: true, result_json: true, at: true },
  rate_limits: { bucket: true, window_start: true, hits: true },
  audit_log: { id: true, at: true, actor: true, account_id: true, action: true, result: true, detail: true, request_id: true },
  account_events: {
    id: true, account_id: true, type: true, payload: true, created_at: true, state: true, attempts: true, next_attempt_at: true,
    last_attempt_at: true, last_status: true, last_error: true, lease_owner: true, lease_until: true, finished_at: true,
  },
  oauth_token_pace: { provider: true, next_at: true },
  oauth_refresh_schedule: { credential_id: true, due_at: true, last_used_at: true },
  audit_daily_counts: { account_id: true, day: true, action: true, actor: true, count: true },
};

afterAll(() => stopSharedTestPostgres());

describe.each(TEST_DIALECTS)('schema.sql and the Kysely types on %s', (dialect) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.close());

  async function columnsOf(table: string): Promise<string[]> {
    const { rows } =
      dialect === 'sqlite'
        ? await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(database.db)
        : await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`.execute(database.db);
    return rows.map((row) => row.name).sort();
  }

  it.each(Object.keys(COLUMNS))('table %s has exactly the typed columns', async (table) => {
    expect(await columnsOf(table)).toEqual(Object.keys(COLUMNS[table as keyof Database]).sort());
  });

  it('lists every *_enc column in ENCRYPTED_COLUMNS, and nothing else', () => {
    const encrypted = Object.entries(COLUMNS).flatMap(([table, columns]) => Object.keys(columns).filter((c) => c.endsWith('_enc')).map((c) => `${table}.${c}`));
    expect(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort()).toEqual(encrypted.sort());
  });
});

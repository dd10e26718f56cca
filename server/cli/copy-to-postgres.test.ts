import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../create-app.js';
import { createMemoryLogger } from '../log/index.js';
import { openDatabase, schemaStatements, type DatabaseHandle } from '../store/connect.js';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { startDnsServer } from '../testing/dns-server.js';
import { sharedTestPostgres, stopSharedTestPostgres } from '../testing/postgres.js';
import { COPIED_TABLES, copyDatabase, describeDatabaseUrl, type CopyCheckpoint } from './copy-to-postgres.js';
import { MIGRATIONS } from '../store/migrations.js';
import type { Kysely } from 'kysely';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'copied-but-never-decrypted';
/**
 * The saved hosts' address for the server on PostgreSQL: POST /accounts/:id/credentials looks the
 * saved names up again (only looks up, never connects, so nothing is sent to this public address).
 */
const PUBLIC_ADDRESS = '93.184.216.34';

describe('COPIED_TABLES', () => {
  it('names every table schema.sql creates', () => {
    const created = schemaStatements().flatMap((s) => /^CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1] ?? []);
    expect(COPIED_TABLES.map((t) => t.table).sort()).toEqual(created.sort());
  });

  it('prints a connection string without its password', () => {
    expect(describeDatabaseUrl('postgres://app:s3cret@db.internal:5432/wizard')).toBe('postgres://app:***@db.internal:5432/wizard');
  });
});

/** Every row of every copied table, in primary-key order. */
const readAll = async (database: DatabaseHandle) =>
  Object.fromEntries(
    await Promise.all(
      COPIED_TABLES.map(async ({ table, key }) => {
        let query = (database.db as Kysely<any>).selectFrom(table).selectAll();
        for (const column of key) query = query.orderBy(column);
        return [table, await query.execute()] as const;
      }),
    ),
  );

describe('copy-to-postgres', () => {
  const keys = `c1:${randomBytes(32).toString('base64')}`;
  let source: TestApp;
  let sqliteRows: Record<string, unknown[]>;

  beforeAll(async () => {
    source = await createTestApp({ EMAIL_WIZARD_ENCRYPTION_KEYS: keys });
    const token = await source.session('acme');
    const saved = await source.request('/settings', {
      method: 'PUT',
      token,
      json: {
        email: 'support@acme.test',
        imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
        smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'support@acme.test' },
        auth: { method: 'password', password: PASSWORD },
        fromName: 'Ünïcode – Support',
      },
    });
    expect(saved.status).toBe(200);
    const db = source.services.database.db;
    const now = Date.now();
    await db.insertInto('oauth_credentials').values({
      id: 'cred-1', account_id: 'acme', provider: 'microsoft', email: 'box@acme.test',
      access_token_enc: source.services.keyring.encrypt('access', { accountId: 'acme', column: 'oauth_credentials.access_token_enc' }),
      refresh_token_enc: source.services.keyring.encrypt('refresh', { accountId: 'acme', column: 'oauth_credentials.refresh_token_enc' }),
      access_expires_at: now, status_reason: null, refresh_lease_owner: null, refresh_lease_until: null, last_refreshed_at: null, created_at: now, updated_at: now,
    }).execute();
    await source.services.rateLimits.hit('test:acme', 5, 60_000);
    await source.close();
    const reopened = await openDatabase({ sqliteFile: source.dbFile });
    sqliteRows = await readAll(reopened);
    await reopened.close();
  });
  afterAll(() => stopSharedTestPostgres());


  it('copies every row exactly, twice without duplicates, and the server reads the secrets with the same keys', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const sqlite = await openDatabase({ sqliteFile: source.dbFile });
    const postgres = await openDatabase({ databaseUrl: url });
    try {
      const first = await copyDatabase(sqlite.db, postgres.db);
      expect(first).toMatchObject({ schema_version: MIGRATIONS.length + 1, email_settings: 1, oauth_credentials: 1, rate_limits: 1 });
      expect(first.audit_log).toBeGreaterThanOrEqual(2);
      expect(await readAll(postgres)).toEqual(sqliteRows);
      expect(await copyDatabase(sqlite.db, postgres.db)).toEqual(first);
      expect(await readAll(postgres)).toEqual(sqliteRows);
      const stored = (await postgres.db.selectFrom('email_settings').select('password_enc').executeTakeFirstOrThrow()).password_enc!;
      expect(stored).toMatch(/^v1:c1:/);
      expect(stored).not.toContain(PASSWORD);
    } finally {
      await sqlite.close();
      await postgres.close();
    }

    // Its own test DNS server: the system resolver would send the look-up off this machine.
    const dns = await startDnsServer({ 'imap.acme.test': { A: [PUBLIC_ADDRESS] }, 'smtp.acme.test': { A: [PUBLIC_ADDRESS] } });
    const onPostgres = await createApp({
      env: {
        DATABASE_URL: url,
        EMAIL_WIZARD_API_KEYS: TEST_API_KEY,
        EMAIL_WIZARD_SESSION_SECRET: 'z'.repeat(40),
        EMAIL_WIZARD_ENCRYPTION_KEYS: keys,
        EMAIL_WIZARD_DB: source.dbFile,
        EMAIL_WIZARD_DNS_SERVERS: dns.address,
      },
      logger: createMemoryLogger(),
    });
    try {
      expect(onPostgres.services.database.dialect).toBe('postgres');
      const response = await onPostgres.fetch(new Request('http://localhost/api/email-settings/accounts/acme/credentials', { method: 'POST', headers: { Authorization: `Bearer ${TEST_API_KEY}` } }));
      expect(response.status).toBe(200);
      const { imap } = (await response.json()) as { imap: { host: string; servername?: string; auth: { pass: string } } };
      expect(imap).toMatchObject({ host: PUBLIC_ADDRESS, servername: 'imap.acme.test', auth: { pass: PASSWORD } });
    } finally {
      await onPostgres.close();
      await dns.close();
    }
  });

  it('brings PostgreSQL up to date when run again after the SQLite side changed', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const sqlite = await openDatabase({ sqliteFile: source.dbFile });
    const postgres = await openDatabase({ databaseUrl: url });
    try {
      await copyDatabase(sqlite.db, postgres.db);
      await sqlite.db.updateTable('email_settings').set({ from_name: 'Renamed' }).where('account_id', '=', 'acme').execute();
      await copyDatabase(sqlite.db, postgres.db);
      expect((await postgres.db.selectFrom('email_settings').select('from_name').executeTakeFirstOrThrow()).from_name).toBe('Renamed');
      await sqlite.db.updateTable('email_settings').set({ from_name: 'Ünïcode – Support' }).where('account_id', '=', 'acme').execute();
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it('copies in batches and, interrupted, carries on from its checkpoint to the same result', async () => {
    const url = await (await sharedTestPostgres()).createDatabase();
    const sqlite = await openDatabase({ sqliteFile: source.dbFile });
    const postgres = await openDatabase({ databaseUrl: url });
    try {
      let saved: CopyCheckpoint | undefined;
      const stop = new AbortController();
      const first = copyDatabase(sqlite.db, postgres.db, {
        batchSize: 1,
        signal: stop.signal,
        onCheckpoint: (checkpoint) => {
          saved = checkpoint;
          // Interrupted after the first audit entry was committed.
          if (typeof checkpoint.audit_log === 'object') stop.abort();
        },
      });
      await expect(first).rejects.toThrow();
      expect(saved).toMatchObject({ schema_version: 'done', email_settings: 'done', audit_log: { after: [expect.any(String)] } });
      expect(await postgres.db.selectFrom('audit_log').select('id').execute()).toHaveLength(1);
      const rest = await copyDatabase(sqlite.db, postgres.db, { batchSize: 1, resumeFrom: saved });
      // Only what was left is copied again.
      expect(rest).toMatchObject({ schema_version: 0, email_settings: 0, oauth_credentials: 0 });
      expect(rest.audit_log).toBe((sqliteRows.audit_log as unknown[]).length - 1);
      expect(await readAll(postgres)).toEqual(sqliteRows);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it('runs as a CLI command and never prints the database password', async () => {
    const cluster = await sharedTestPostgres();
    const database = (await cluster.createDatabase()).replace('postgres@', 'postgres:not-printed@');
    const { stdout } = await run('npx', ['tsx', 'server/cli.ts', 'copy-to-postgres', '--from', source.dbFile], { cwd: ROOT, env: { ...process.env, DATABASE_URL: database } });
    expect(stdout).toMatch(/^Copied .*test\.sqlite into postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+: schema_version \d+, email_settings 1, oauth_credentials 1, oauth_flows 0, connection_tests 0, rate_limits 1, audit_log \d+, account_events 0, oauth_token_pace 0, oauth_refresh_schedule \d+, audit_daily_counts 0\.\n$/);
    expect(stdout).not.toContain('not-printed');
  });

  it('explains what is missing', async () => {
    const failure = await run('npx', ['tsx', 'server/cli.ts', 'copy-to-postgres', '--from', '/nonexistent/db.sqlite'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: 'postgres://x@127.0.0.1:1/x' } }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringMatching(/there is no SQLite database at \/nonexistent\/db\.sqlite/) });
  });
});

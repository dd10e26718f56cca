import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createMemoryLogger } from '../log/index.js';
import { AuditLog } from './audit.js';
import { openDatabase, schemaStatements, type DatabaseHandle } from './connect.js';
import { TEST_DIALECTS, openTestDatabase, stopSharedTestPostgres } from '../testing/postgres.js';
import { MIGRATIONS } from './migrations.js';

afterAll(() => stopSharedTestPostgres());

describe.each(TEST_DIALECTS)('storage on %s', (dialect) => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.close());

  it('applies schema.sql a second time without harm and records each version once', async () => {
    for (const statement of schemaStatements()) await sql.raw(statement).execute(database.db);
    const versions = await database.db.selectFrom('schema_version').select('version').orderBy('version').execute();
    expect(versions).toEqual([1, ...MIGRATIONS.map((migration) => migration.version)].map((version) => ({ version })));
  });

  it('returns epoch-millisecond BIGINTs as numbers', async () => {
    const at = Date.UTC(2099, 11, 31, 23, 59, 59, 999);
    await database.db.insertInto('rate_limits').values({ bucket: 'bigint', window_start: at, hits: 1 }).execute();
    const row = await database.db.selectFrom('rate_limits').selectAll().where('bucket', '=', 'bigint').executeTakeFirstOrThrow();
    expect(row.window_start).toBe(at);
  });

  it('enforces the CHECK constraints on both databases', async () => {
    const now = Date.now();
    const bad = database.db
      .insertInto('email_settings')
      .values({ account_id: 'x', email: 'e', imap_host: 'h', imap_port: 1, imap_security: 'ssl' as 'tls', imap_username: 'u', smtp_host: 'h', smtp_port: 1, smtp_security: 'tls', smtp_username: 'u', auth_method: 'password', oauth_provider: null, password_enc: null, smtp_password_enc: null, from_name: null, last_test_json: null, last_test_at: null, last_test_ok: null, created_at: now, updated_at: now })
      .execute();
    await expect(bad).rejects.toThrow();
  });

  describe('AuditLog', () => {
    it('appends entries with actor, account, action, result and request id', async () => {
      const audit = new AuditLog(database.db);
      await audit.record({ actor: 'host', accountId: 'acme', action: 'session.create', result: 'ok', requestId: 'req-1', detail: { origin: 'https://app.test' } });
      await audit.record({ actor: 'session', accountId: 'acme', action: 'settings.save', result: 'error', detail: { code: 'AUTH_FAILED' } });
      const rows = await database.db.selectFrom('audit_log').selectAll().where('account_id', '=', 'acme').orderBy('at').execute();
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ actor: 'host', action: 'session.create', result: 'ok', request_id: 'req-1', detail: '{"origin":"https://app.test"}' });
      expect(rows[1]).toMatchObject({ actor: 'session', result: 'error', request_id: null });
    });

    it('drops secret-looking detail fields, however deep', async () => {
      const audit = new AuditLog(database.db);
      await audit.record({ actor: 'system', accountId: 'redact', action: 'x', result: 'ok', detail: { password: 'p1', nested: { refreshToken: 'r1', list: [{ apiKey: 'k1' }] }, host: 'imap.test' } });
      const row = await database.db.selectFrom('audit_log').select('detail').where('account_id', '=', 'redact').executeTakeFirstOrThrow();
      expect(row.detail).not.toMatch(/p1|r1|k1/);
      expect(JSON.parse(row.detail!)).toMatchObject({ host: 'imap.test', password: '[redacted]' });
    });
  });
});

describe('AuditLog when the database fails', () => {
  it('logs the failure for operators instead of failing the request', async () => {
    const database = await openDatabase({ sqliteFile: ':memory:' });
    const logger = createMemoryLogger();
    await database.close();
    await new AuditLog(database.db, logger).record({ actor: 'host', action: 'settings.save', result: 'ok' });
    expect(logger.lines.join('\n')).toMatch(/audit log write failed/);
  });
});

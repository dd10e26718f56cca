import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from './audit.js';
import type { DatabaseHandle } from './connect.js';
import { TEST_DIALECTS, openTestDatabase, stopSharedTestPostgres } from '../testing/postgres.js';

const DAY = 86_400_000;

afterAll(() => stopSharedTestPostgres());

describe.each(TEST_DIALECTS)('audit volume and retention on %s', (dialect) => {
  let database: DatabaseHandle;
  let clock = Date.UTC(2026, 10, 30, 12);
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(() => database.close());

  it('counts routine credential reads per account, day and actor instead of writing a row each', async () => {
    const audit = new AuditLog(database.db, undefined, () => clock);
    for (let i = 0; i < 288; i += 1) await audit.record({ actor: 'host', accountId: 'poller', action: 'credentials.read', result: 'ok', requestId: `r${i}` });
    clock += DAY;
    await audit.record({ actor: 'host', accountId: 'poller', action: 'credentials.read', result: 'ok' });
    expect(await database.db.selectFrom('audit_log').selectAll().where('account_id', '=', 'poller').execute()).toEqual([]);
    const counts = await database.db.selectFrom('audit_daily_counts').selectAll().where('account_id', '=', 'poller').orderBy('day').execute();
    expect(counts.map((c) => [c.day, c.action, c.actor, c.count])).toEqual([
      [Date.UTC(2026, 10, 30), 'credentials.read', 'host', 288],
      [Date.UTC(2026, 11, 1), 'credentials.read', 'host', 1],
    ]);
  });

  it('still writes a row for a failed read and for every other action', async () => {
    const audit = new AuditLog(database.db, undefined, () => clock);
    await audit.record({ actor: 'host', accountId: 'rows', action: 'credentials.read', result: 'error', detail: { code: 'OAUTH_REAUTH_REQUIRED' } });
    await audit.record({ actor: 'host', accountId: 'rows', action: 'account.delete', result: 'ok' });
    const rows = await database.db.selectFrom('audit_log').select(['action', 'result']).where('account_id', '=', 'rows').orderBy('action').execute();
    expect(rows).toEqual([{ action: 'account.delete', result: 'ok' }, { action: 'credentials.read', result: 'error' }]);
  });

  it('the retention rules delete entries and counts past their retention and keep the rest', async () => {
    const start = clock;
    const audit = (at: number) => new AuditLog(database.db, undefined, () => at);
    await audit(start - 400 * DAY).record({ actor: 'session', accountId: 'old', action: 'settings.save', result: 'ok' });
    await audit(start - 100 * DAY).record({ actor: 'session', accountId: 'kept', action: 'settings.save', result: 'ok' });
    await audit(start - 100 * DAY).record({ actor: 'host', accountId: 'old-reads', action: 'credentials.read', result: 'ok' });
    await audit(start - 10 * DAY).record({ actor: 'host', accountId: 'new-reads', action: 'credentials.read', result: 'ok' });
    const rules = new Map(audit(start).retentionRules().map((rule) => [rule.table, rule]));
    expect(rules.get('audit_log')!.defaultMs).toBe(365 * DAY);
    expect(rules.get('audit_daily_counts')!.defaultMs).toBe(90 * DAY);
    // The retention job calls each rule with "now minus what it keeps".
    expect(await rules.get('audit_log')!.prune(start - 365 * DAY)).toBe(1);
    expect(await rules.get('audit_daily_counts')!.prune(start - 90 * DAY)).toBe(1);
    const accounts = async (table: 'audit_log' | 'audit_daily_counts') =>
      (await database.db.selectFrom(table).select('account_id').execute()).map((r) => r.account_id);
    expect(await accounts('audit_log')).not.toContain('old');
    expect(await accounts('audit_log')).toContain('kept');
    expect(await accounts('audit_daily_counts')).not.toContain('old-reads');
    expect(await accounts('audit_daily_counts')).toContain('new-reads');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.js';
import { createMemoryLogger } from '../log/index.js';
import { Retention } from './retention.js';

const HOUR = 3600_000;

describe('the retention job', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ EMAIL_WIZARD_RETENTION: 'connection_tests=2' });
  });
  afterAll(() => app?.close());

  it('has a rule for every table that grows with traffic, with the documented defaults and overrides', () => {
    const rules = Object.fromEntries(app.services.retention.describe().map((rule) => [rule.table, rule.keepMs]));
    expect(rules).toMatchObject({ rate_limits: 24 * HOUR, oauth_flows: 24 * HOUR, connection_tests: 2 * HOUR });
  });

  it('deletes what the rules no longer keep and nothing else', async () => {
    const { db } = app.services.database;
    const now = Date.now();
    await db
      .insertInto('rate_limits')
      .values([
        { bucket: 'old', window_start: now - 25 * HOUR, hits: 1 },
        { bucket: 'new', window_start: now - 60_000, hits: 1 },
      ])
      .execute();
    await db
      .insertInto('connection_tests')
      .values([
        { account_id: 'old', fingerprint: 'f', ok: 1, result_json: '{}', at: now - 3 * HOUR },
        { account_id: 'new', fingerprint: 'f', ok: 1, result_json: '{}', at: now - HOUR },
      ])
      .execute();
    const flow = (id: string, expiresAt: number) => ({
      id,
      state_hash: `hash-${id}`,
      provider: 'google' as const,
      account_id: 'a',
      session_id: 's',
      code_verifier_enc: 'x',
      created_at: expiresAt - 600_000,
      expires_at: expiresAt,
    });
    await db.insertInto('oauth_flows').values([flow('00000000-0000-0000-0000-000000000001', now - 25 * HOUR), flow('00000000-0000-0000-0000-000000000002', now - HOUR)]).execute();

    const deleted = await app.services.retention.runOnce();
    expect(deleted).toMatchObject({ rate_limits: 1, connection_tests: 1, oauth_flows: 1 });
    expect((await db.selectFrom('rate_limits').select('bucket').execute()).map((r) => r.bucket)).toEqual(['new']);
    expect((await db.selectFrom('connection_tests').select('account_id').execute()).map((r) => r.account_id)).toEqual(['new']);
    expect((await db.selectFrom('oauth_flows').select('id').execute()).map((r) => r.id)).toEqual(['00000000-0000-0000-0000-000000000002']);
  });

  it('deletes in batches, so a large backlog goes in one run without one huge statement', async () => {
    const { db } = app.services.database;
    const old = Date.now() - 30 * HOUR;
    for (let batch = 0; batch < 3; batch += 1) {
      await db
        .insertInto('rate_limits')
        .values(Array.from({ length: 4000 }, (_, i) => ({ bucket: `flood-${batch}-${i}`, window_start: old + i, hits: 1 })))
        .execute();
    }
    expect((await app.services.retention.runOnce()).rate_limits).toBe(12_000);
  });
});

describe('Retention', () => {
  it('runs the other rules when one fails, and logs the failure', async () => {
    const logger = createMemoryLogger('debug');
    const retention = new Retention({ logger, now: () => 1_000_000 });
    const seen: number[] = [];
    retention.register({ table: 'broken', description: 'fails', defaultMs: 10, prune: () => Promise.reject(new Error('disk full')) });
    retention.register({ table: 'fine', description: 'works', defaultMs: 100, prune: async (before) => (seen.push(before), 3) });
    expect(await retention.runOnce()).toEqual({ fine: 3 });
    expect(seen).toEqual([1_000_000 - 100]);
    expect(logger.lines.join('\n')).toContain('retention prune failed');
    expect(() => retention.register({ table: 'fine', description: 'twice', defaultMs: 1, prune: async () => 0 })).toThrow(/registered already/);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { seedOAuthAccounts } from '../testing/oauth-accounts.js';
import { OAUTH_TEST_ENV } from '../testing/oauth-journeys.js';
import { TokenPace } from './pacing/index.js';
import { sharedTestPostgres, stopSharedTestPostgres, TEST_DIALECTS } from '../testing/postgres.js';

/**
 * DESIGN.md "Token refresh at scale", against the local OAuth stand-in limiting token requests to
 * the same rate the servers are configured with: counts of token requests and of 429s, never
 * timings. Two apps on one database stand for two instances (each has its own token service,
 * refresher and instance id; they share only the database, as real instances do).
 */
const RATE = 5;
// The stand-in's bucket holds two seconds' worth: it runs in this test process beside both apps, so a
// stalled event loop here can make requests that left 200 ms apart arrive together.

let oauth: OAuthTestServer;
let dns: TestDnsServer;
beforeAll(async () => {
  oauth = await startOAuthTestServer();
  // The credentials endpoint looks the saved hosts up again: the providers' names resolve to loopback here.
  dns = await startDnsServer(
    Object.fromEntries(['imap.gmail.com', 'smtp.gmail.com', 'outlook.office365.com', 'smtp.office365.com'].map((name) => [name, { A: ['127.0.0.1'] }])),
  );
});
afterAll(async () => {
  await oauth?.close();
  await dns?.close();
  await stopSharedTestPostgres();
});

describe.each(TEST_DIALECTS)('token refresh at scale on %s', (dialect) => {
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    const databaseUrl = dialect === 'postgres' ? await (await sharedTestPostgres()).createDatabase() : undefined;
    const shared = {
      ...oauth.env(),
      ...OAUTH_TEST_ENV,
      EMAIL_WIZARD_DNS_SERVERS: dns.address,
      EMAIL_WIZARD_OAUTH_TOKEN_RATE: String(RATE),
      EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
      EMAIL_WIZARD_ENCRYPTION_KEYS: `s1:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    one = await createTestApp(shared);
    two = await createTestApp({ ...shared, EMAIL_WIZARD_DB: one.dbFile });
  }, 60_000);
  afterAll(async () => {
    oauth.rateLimit(undefined);
    await two?.close();
    await one?.close();
  });

  const db = () => one.services.database.db;
  const credentials = (app: TestApp, accountId: string) =>
    app.request(`/accounts/${accountId}/credentials`, { method: 'POST', token: TEST_API_KEY });
  const refreshes = (since: number) => oauth.tokenRequests.slice(since).filter((r) => r.grantType === 'refresh_token');
  const expireAll = (ids: string[], at = Date.now() - 1000) =>
    db().updateTable('oauth_credentials').set({ access_expires_at: at }).where('id', 'in', ids).execute();

  it('host calls on expired tokens, split over two instances, stay within the provider rate: no 429, one request per renewal', async () => {
    const accounts = await seedOAuthAccounts(one.services, oauth, { count: 20, provider: 'google', prefix: `${dialect}-burst` });
    await expireAll(accounts.map((a) => a.credentialId));
    oauth.rateLimit({ perSecond: RATE, burst: 2 * RATE });
    const before = oauth.tokenRequests.length;
    try {
      // Every account asked for twice, once on each instance, all at once.
      const responses = await Promise.all(accounts.flatMap((a) => [credentials(one, a.accountId), credentials(two, a.accountId)]));
      expect(responses.map((r) => r.status)).toEqual(Array(40).fill(200));
    } finally {
      oauth.rateLimit(undefined);
    }
    const sent = refreshes(before);
    expect(sent.filter((r) => r.status === 429)).toEqual([]);
    expect(sent).toHaveLength(accounts.length);
  });

  it('a 429 is honoured for its Retry-After, and never marks the credential', async () => {
    const [account] = await seedOAuthAccounts(one.services, oauth, { count: 1, provider: 'microsoft', prefix: `${dialect}-retry-after` });
    await expireAll([account!.credentialId]);
    const before = oauth.tokenRequests.length;
    oauth.failTokenRequests(1, 429, 2);
    const response = await credentials(one, account!.accountId);
    expect(response.status).toBe(200);
    const sent = refreshes(before);
    expect(sent.map((r) => r.status)).toEqual([429, 200]);
    // The second request waited out the provider's Retry-After (a lower bound, never a race).
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(2000 - 5);
    const row = await db().selectFrom('oauth_credentials').selectAll().where('id', '=', account!.credentialId).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
  });

  it('a provider that keeps answering 429 gives the host a 503 with Retry-After within its wait, and the credential stays active', async () => {
    const [account] = await seedOAuthAccounts(one.services, oauth, { count: 1, provider: 'google', prefix: `${dialect}-throttled` });
    await expireAll([account!.credentialId]);
    oauth.failTokenRequests(1, 429, 30);
    const response = await credentials(two, account!.accountId);
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    const row = await db().selectFrom('oauth_credentials').selectAll().where('id', '=', account!.credentialId).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
    expect(row.refresh_lease_owner).toBeNull();
    // The pause is shared: the other instance does not hammer the provider either.
    const pausedUntil = await new TokenPace(db(), { ratePerSecond: RATE }).nextAt('google');
    expect(pausedUntil).toBeGreaterThan(Date.now() + 20_000);
    await db().updateTable('oauth_token_pace').set({ next_at: 0 }).execute();
  });

  it('two refreshers claim due rows without overlap: only tokens hosts used are renewed, one request each', async () => {
    const used = await seedOAuthAccounts(one.services, oauth, { count: 12, provider: 'google', prefix: `${dialect}-used` });
    const idle = await seedOAuthAccounts(one.services, oauth, { count: 12, provider: 'google', prefix: `${dialect}-idle` });
    // Hosts fetch the used ones (through either instance): the endpoint records the use.
    for (const [i, account] of used.entries()) expect((await credentials(i % 2 ? one : two, account.accountId)).status).toBe(200);
    const all = [...used, ...idle].map((a) => a.credentialId);
    // An hour later: every token is about to expire and every plan has come due.
    await expireAll(all, Date.now() + 2 * 60_000);
    await db()
      .insertInto('oauth_refresh_schedule')
      .values(all.map((id) => ({ credential_id: id, due_at: Date.now() - 1000, last_used_at: null })))
      .onConflict((oc) => oc.column('credential_id').doUpdateSet({ due_at: Date.now() - 1000 }))
      .execute();
    oauth.rateLimit({ perSecond: RATE, burst: 2 * RATE });
    const before = oauth.tokenRequests.length;
    try {
      const refresherOne = one.services.oauth.startRefresher({ intervalMs: 3600_000 });
      const refresherTwo = two.services.oauth.startRefresher({ intervalMs: 3600_000 });
      await Promise.all([refresherOne.runOnce(), refresherTwo.runOnce()]);
      await Promise.all([refresherOne.stop(), refresherTwo.stop()]);
    } finally {
      oauth.rateLimit(undefined);
    }
    const sent = refreshes(before);
    expect(sent.filter((r) => r.status === 429)).toEqual([]);
    expect(sent).toHaveLength(used.length);
    const rows = await db().selectFrom('oauth_credentials').select(['id', 'access_expires_at']).where('id', 'in', all).execute();
    const expiry = new Map(rows.map((r) => [r.id, r.access_expires_at!]));
    for (const a of used) expect(expiry.get(a.credentialId)).toBeGreaterThan(Date.now() + 30 * 60_000);
    for (const a of idle) expect(expiry.get(a.credentialId)).toBeLessThan(Date.now() + 3 * 60_000);
    // The next renewals of the used tokens are spread out, not one burst an hour later.
    const plans = await db().selectFrom('oauth_refresh_schedule').select('due_at').where('credential_id', 'in', used.map((a) => a.credentialId)).execute();
    expect(new Set(plans.map((p) => Math.round(p.due_at! / 1000))).size).toBeGreaterThan(used.length / 2);
    // Idle Google grants have nothing planned.
    const idlePlans = await db().selectFrom('oauth_refresh_schedule').select('due_at').where('credential_id', 'in', idle.map((a) => a.credentialId)).execute();
    expect(idlePlans.every((p) => p.due_at === null)).toBe(true);
  });

  it('an idle Microsoft grant gets its keep-alive refresh, and only that one', async () => {
    const [stale, recent] = await seedOAuthAccounts(one.services, oauth, { count: 2, provider: 'microsoft', prefix: `${dialect}-keepalive` });
    await db().updateTable('oauth_credentials').set({ last_refreshed_at: Date.now() - 30 * 24 * 3600_000 }).where('id', '=', stale!.credentialId).execute();
    await db()
      .insertInto('oauth_refresh_schedule')
      .values([stale!, recent!].map((a) => ({ credential_id: a.credentialId, due_at: Date.now() - 1000, last_used_at: null })))
      .onConflict((oc) => oc.column('credential_id').doUpdateSet({ due_at: Date.now() - 1000 }))
      .execute();
    const staleRefreshToken = one.services.oauth.credentials.refreshToken(
      await db().selectFrom('oauth_credentials').selectAll().where('id', '=', stale!.credentialId).executeTakeFirstOrThrow(),
    );
    const before = oauth.tokenRequests.length;
    const refresher = one.services.oauth.startRefresher({ intervalMs: 3600_000 });
    await refresher.runOnce();
    await refresher.stop();
    expect(refreshes(before)).toHaveLength(1);
    const row = await db().selectFrom('oauth_credentials').selectAll().where('id', '=', stale!.credentialId).executeTakeFirstOrThrow();
    expect(row.last_refreshed_at).toBeGreaterThan(Date.now() - 60_000);
    expect(one.services.oauth.credentials.refreshToken(row)).not.toBe(staleRefreshToken);
    expect(oauth.isRefreshTokenValid(staleRefreshToken!)).toBe(false);
  });
});

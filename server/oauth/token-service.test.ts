import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type EmailWizardApp } from '../create-app.js';
import { createMemoryLogger } from '../log/index.js';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { sharedTestPostgres, stopSharedTestPostgres, TEST_DIALECTS } from '../testing/postgres.js';
import { MICROSOFT_SCOPES } from './providers.js';
import { OAUTH_TEST_ENV, connectMailbox, hostCredentials } from '../testing/oauth-journeys.js';

let oauth: OAuthTestServer;
beforeAll(async () => {
  oauth = await startOAuthTestServer({ google: { clientId: 'google-client', clientSecret: 'google-secret' } });
});
afterAll(async () => {
  await oauth?.close();
  await stopSharedTestPostgres();
});

type Credentials = { imap: { auth: { accessToken: string } }; expiresAt: string };

describe.each(TEST_DIALECTS)('token service on %s', (dialect) => {
  let app: TestApp;
  /** A second server instance on the same database: another process, as far as the lease is concerned. */
  let peer: EmailWizardApp;

  beforeAll(async () => {
    const databaseUrl = dialect === 'postgres' ? await (await sharedTestPostgres()).createDatabase() : undefined;
    app = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
    peer = await createApp({ config: app.services.config, logger: createMemoryLogger('debug') });
  });
  afterAll(async () => {
    await peer?.close();
    await app?.close();
  });

  const db = () => app.services.database.db;
  const expire = (credentialId: string, at = Date.now() - 1000) =>
    db().updateTable('oauth_credentials').set({ access_expires_at: at }).where('id', '=', credentialId).execute();
  const credentialRow = (credentialId: string) => db().selectFrom('oauth_credentials').selectAll().where('id', '=', credentialId).executeTakeFirstOrThrow();
  const refreshCount = () => oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
  const tokenOf = async (response: Response) => ((await response.json()) as Credentials).imap.auth.accessToken;

  it('a fresh token is handed out without asking the provider', async () => {
    const id = await connectMailbox(app, oauth, `${dialect}-fresh`, 'google');
    const before = oauth.tokenRequests.length;
    const response = await hostCredentials(app, `${dialect}-fresh`);
    expect(response.status).toBe(200);
    expect(oauth.introspect(await tokenOf(response))).toBeDefined();
    expect(oauth.tokenRequests.length).toBe(before);
    expect((await credentialRow(id)).status).toBe('active');
  });

  it('Microsoft: refresh re-sends the scopes and rotates; the old refresh token is no longer stored', async () => {
    const id = await connectMailbox(app, oauth, `${dialect}-rotate`, 'microsoft');
    const before = await credentialRow(id);
    const oldRefresh = app.services.oauth.credentials.refreshToken(before)!;
    const oldAccess = app.services.oauth.credentials.accessToken(before)!;
    await expire(id);
    const response = await hostCredentials(app, `${dialect}-rotate`);
    expect(response.status).toBe(200);
    const access = await tokenOf(response);
    expect(access).not.toBe(oldAccess);
    expect(oauth.introspect(access)?.email).toBe(`${dialect}-rotate@example.com`);
    expect(oauth.tokenRequests.at(-1)).toMatchObject({ provider: 'microsoft', grantType: 'refresh_token', scope: MICROSOFT_SCOPES.join(' '), status: 200 });
    const after = await credentialRow(id);
    const newRefresh = app.services.oauth.credentials.refreshToken(after)!;
    expect(newRefresh).not.toBe(oldRefresh);
    expect(oauth.isRefreshTokenValid(oldRefresh)).toBe(false);
    expect(oauth.isRefreshTokenValid(newRefresh)).toBe(true);
    expect(after.access_expires_at).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(after.refresh_lease_owner).toBeNull();
  });

  it('Google: refresh sends no scope and keeps the (non-rotating) refresh token', async () => {
    const id = await connectMailbox(app, oauth, `${dialect}-google`, 'google');
    const oldRefresh = app.services.oauth.credentials.refreshToken(await credentialRow(id));
    await expire(id);
    expect((await hostCredentials(app, `${dialect}-google`)).status).toBe(200);
    const last = oauth.tokenRequests.at(-1)!;
    expect(last).toMatchObject({ provider: 'google', grantType: 'refresh_token', status: 200 });
    expect(last.scope).toBeUndefined();
    expect(app.services.oauth.credentials.refreshToken(await credentialRow(id))).toBe(oldRefresh);
  });

  it('100 concurrent credential requests on an expired token cause exactly one token request', async () => {
    const id = await connectMailbox(app, oauth, `${dialect}-herd`, 'microsoft');
    await expire(id);
    const before = refreshCount();
    const responses = await Promise.all(Array.from({ length: 100 }, () => hostCredentials(app, `${dialect}-herd`)));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    const tokens = new Set(await Promise.all(responses.map(tokenOf)));
    expect(refreshCount() - before).toBe(1);
    expect(tokens.size).toBe(1);
    expect(oauth.introspect([...tokens][0]!)).toBeDefined();
  });

  it('two server instances on one database share one refresh through the lease', async () => {
    const id = await connectMailbox(app, oauth, `${dialect}-pair`, 'microsoft');
    await expire(id);
    const before = refreshCount();
    const [mine, theirs] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, () => app.services.oauth.tokens.getAccessToken(id))),
      Promise.all(Array.from({ length: 50 }, () => peer.services.oauth.tokens.getAccessToken(id))),
    ]);
    expect(refreshCount() - before).toBe(1);
    expect(new Set([...mine, ...theirs].map((t) => t.accessToken)).size).toBe(1);
    // With rotation, a second refresh with the old token would have failed: the credential is still good.
    expect((await credentialRow(id)).status).toBe('active');
  });

  it('a lease left behind by a crashed process is taken over once it runs out', async () => {
    const id = await connectMailbox(app, oauth, `${dialect}-crashed`, 'microsoft');
    await db()
      .updateTable('oauth_credentials')
      .set({ access_expires_at: Date.now() - 1000, refresh_lease_owner: 'crashed:process', refresh_lease_until: Date.now() + 1500 })
      .where('id', '=', id)
      .execute();
    const before = refreshCount();
    const token = await app.services.oauth.tokens.getAccessToken(id);
    expect(oauth.introspect(token.accessToken)).toBeDefined();
    expect(refreshCount() - before).toBe(1);
    const row = await credentialRow(id);
    expect(row.refresh_lease_owner).toBeNull();
    expect(row.status).toBe('active');
  });

  it('an unreadable stored refresh token is an operator error and leaves no lease behind', async () => {
    const accountId = `${dialect}-unreadable`;
    const id = await connectMailbox(app, oauth, accountId, 'google');
    await db()
      .updateTable('oauth_credentials')
      .set({ access_expires_at: Date.now() - 1000, refresh_token_enc: 'v1:retired-key:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA' })
      .where('id', '=', id)
      .execute();
    const response = await hostCredentials(app, accountId);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('SECRET_UNREADABLE');
    const row = await credentialRow(id);
    expect(row.refresh_lease_owner).toBeNull();
    expect(row.status).toBe('active');
  });

  it('invalid_grant marks the credential as needing reauthorisation, visible in the settings', async () => {
    const accountId = `${dialect}-revoked`;
    const id = await connectMailbox(app, oauth, accountId, 'microsoft');
    oauth.revokeGrants(`${accountId}@example.com`);
    await expire(id);
    const response = await hostCredentials(app, accountId);
    expect(response.status).toBe(409);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('OAUTH_REAUTH_REQUIRED');
    expect(error.message).toMatch(/Reconnect/);
    const row = await credentialRow(id);
    expect(row.status).toBe('needs_reauth');
    expect(row.status_reason).toMatch(/invalid_grant/);

    const hostView = (await (await app.request(`/accounts/${accountId}/settings`, { token: TEST_API_KEY })).json()) as {
      status: string;
      auth: { needsReauthorization: boolean; connected: boolean };
    };
    expect(hostView.status).toBe('needs_reauth');
    expect(hostView.auth).toMatchObject({ needsReauthorization: true, connected: false });
    const widgetView = (await (await app.request('/settings', { token: await app.session(accountId) })).json()) as { status: string };
    expect(widgetView.status).toBe('needs_reauth');

    // Marked credentials are not retried against the provider.
    const before = oauth.tokenRequests.length;
    expect((await hostCredentials(app, accountId)).status).toBe(409);
    expect(oauth.tokenRequests.length).toBe(before);

    // Reconnecting the same mailbox makes it usable again.
    await connectMailbox(app, oauth, accountId, 'microsoft');
    expect((await credentialRow(id)).status).toBe('active');
    expect((await hostCredentials(app, accountId)).status).toBe(200);
  });

  it('a transient 503 is retried and never marks the credential', async () => {
    const accountId = `${dialect}-flaky`;
    const id = await connectMailbox(app, oauth, accountId, 'google');
    await expire(id);
    const before = oauth.tokenRequests.length;
    oauth.failTokenRequests(1, 503);
    const response = await hostCredentials(app, accountId);
    expect(response.status).toBe(200);
    expect(oauth.tokenRequests.slice(before).map((r) => r.status)).toEqual([503, 200]);
    expect((await credentialRow(id)).status).toBe('active');
  });

  it('a provider that stays down gives a 503 with a sentence, and the credential stays active', async () => {
    const accountId = `${dialect}-down`;
    const id = await connectMailbox(app, oauth, accountId, 'google');
    await expire(id);
    const before = oauth.tokenRequests.length;
    oauth.failTokenRequests(3, 503);
    const response = await hostCredentials(app, accountId);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('OAUTH_PROVIDER_UNAVAILABLE');
    expect(oauth.tokenRequests.length - before).toBe(3);
    const row = await credentialRow(id);
    expect(row.status).toBe('active');
    expect(row.refresh_lease_owner).toBeNull();
    expect((await hostCredentials(app, accountId)).status).toBe(200);
  });

  it('a rejected client secret on refresh is an operator problem and does not mark the credential', async () => {
    const accountId = `${dialect}-operator`;
    const id = await connectMailbox(app, oauth, accountId, 'google');
    await expire(id);
    const logger = createMemoryLogger('debug');
    const misconfigured = await createApp({
      config: { ...app.services.config, google: { ...app.services.config.google!, clientSecret: 'rotated-away' } },
      logger,
    });
    try {
      await expect(misconfigured.services.oauth.tokens.getAccessToken(id)).rejects.toMatchObject({ status: 502, code: 'OAUTH_CLIENT_MISCONFIGURED' });
      expect((await credentialRow(id)).status).toBe('active');
      const line = logger.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).find((l) => l.level === 'error');
      expect(line?.msg).toMatch(/operator/);
      expect(logger.lines.join('\n')).not.toContain('rotated-away');
    } finally {
      await misconfigured.close();
    }
  });

  it('the background refresher renews tokens hosts use before they expire and keeps idle Microsoft grants alive', async () => {
    const soon = await connectMailbox(app, oauth, `${dialect}-soon`, 'google');
    const idle = await connectMailbox(app, oauth, `${dialect}-idle`, 'microsoft');
    expect((await hostCredentials(app, `${dialect}-soon`)).status).toBe(200); // a host uses it
    await expire(soon, Date.now() + 3 * 60_000);
    await db().updateTable('oauth_credentials').set({ last_refreshed_at: Date.now() - 30 * 24 * 3600_000 }).where('id', '=', idle).execute();
    // Both plans have come due (the schedule itself is tested in refresh-at-scale.test.ts).
    await db()
      .insertInto('oauth_refresh_schedule')
      .values([soon, idle].map((id) => ({ credential_id: id, due_at: Date.now() - 1000, last_used_at: id === soon ? Date.now() : null })))
      .onConflict((oc) => oc.column('credential_id').doUpdateSet((eb) => ({ due_at: eb.ref('excluded.due_at'), last_used_at: eb.ref('excluded.last_used_at') })))
      .execute();
    const idleRefresh = app.services.oauth.credentials.refreshToken(await credentialRow(idle));
    const refresher = app.services.oauth.startRefresher({ intervalMs: 3600_000 });
    try {
      await refresher.runOnce();
    } finally {
      await refresher.stop();
    }
    expect((await credentialRow(soon)).access_expires_at).toBeGreaterThan(Date.now() + 30 * 60_000);
    const idleRow = await credentialRow(idle);
    expect(idleRow.last_refreshed_at).toBeGreaterThan(Date.now() - 60_000);
    expect(app.services.oauth.credentials.refreshToken(idleRow)).not.toBe(idleRefresh);
  });

  it('no access or refresh token appears in any log line', async () => {
    const rows = await db().selectFrom('oauth_credentials').selectAll().execute();
    const logs = app.logLines.join('\n');
    const readable = (read: () => string | undefined) => {
      try {
        return read();
      } catch {
        return undefined; // the deliberately unreadable one above
      }
    };
    for (const row of rows) {
      for (const secret of [readable(() => app.services.oauth.credentials.accessToken(row)), readable(() => app.services.oauth.credentials.refreshToken(row))]) {
        if (secret) expect(logs).not.toContain(secret);
      }
    }
    expect(logs).not.toMatch(/\b(at|rt|code)_[A-Za-z0-9_-]{20,}/);
  });
});

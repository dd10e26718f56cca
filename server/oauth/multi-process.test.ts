import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { sharedTestPostgres, stopSharedTestPostgres, TEST_DIALECTS } from '../testing/postgres.js';
import { OAUTH_TEST_ENV, connectMailbox, hostCredentials } from '../testing/oauth-journeys.js';

/**
 * The refresh single flight across real processes: a server started as its own process and an
 * in-process app share one database; 50 credential requests to each on an expired token reach
 * the OAuth server exactly once.
 */
let oauth: OAuthTestServer;
beforeAll(async () => {
  oauth = await startOAuthTestServer();
});
afterAll(async () => {
  await oauth?.close();
  await stopSharedTestPostgres();
});

describe.each(TEST_DIALECTS)('two processes on %s', (dialect) => {
  let app: TestApp;
  let child: ServerProcess;

  beforeAll(async () => {
    const databaseUrl = dialect === 'postgres' ? await (await sharedTestPostgres()).createDatabase() : undefined;
    const shared = {
      ...oauth.env(),
      ...OAUTH_TEST_ENV,
      EMAIL_WIZARD_API_KEYS: TEST_API_KEY,
      EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
      EMAIL_WIZARD_ENCRYPTION_KEYS: `mp:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    app = await createTestApp(shared);
    child = await startServerProcess({ env: { ...shared, EMAIL_WIZARD_DB: app.dbFile } });
  }, 60_000);
  afterAll(async () => {
    await child?.stop();
    await app?.close();
  });

  it('100 credential requests split over two processes cause exactly one token request', async () => {
    const accountId = `${dialect}-two-processes`;
    const id = await connectMailbox(app, oauth, accountId, 'microsoft');
    await app.services.database.db.updateTable('oauth_credentials').set({ access_expires_at: Date.now() - 1000 }).where('id', '=', id).execute();
    const before = oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length;
    const remote = () =>
      fetch(`${child.apiUrl}/accounts/${accountId}/credentials`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
        signal: AbortSignal.timeout(20_000),
      });
    const responses = await Promise.all([
      ...Array.from({ length: 50 }, remote),
      ...Array.from({ length: 50 }, () => hostCredentials(app, accountId)),
    ]);
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    const tokens = new Set(
      await Promise.all(responses.map(async (r) => ((await r.json()) as { imap: { auth: { accessToken: string } } }).imap.auth.accessToken)),
    );
    expect(oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length - before).toBe(1);
    expect(tokens.size).toBe(1);
    const row = await app.services.database.db.selectFrom('oauth_credentials').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
    expect(row.refresh_lease_owner).toBeNull();
    expect(child.stdout() + child.stderr()).not.toContain([...tokens][0]!);
  });
});

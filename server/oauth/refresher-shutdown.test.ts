import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp } from '../testing/app.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { seedOAuthAccounts } from '../testing/oauth-accounts.js';
import { OAUTH_TEST_ENV } from '../testing/oauth-journeys.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

/**
 * SIGTERM in the middle of a refresh round (DESIGN.md: a server stops within 5 s): a real server
 * process renews 40 due tokens at 2 per second against a slow provider; once it is under way it
 * gets SIGTERM. The harness sends SIGKILL after 5 s, which would end the process with no exit
 * code: exit code 0 says it stopped by itself, between renewals, before that.
 */
let oauth: OAuthTestServer;
let server: ServerProcess | undefined;
beforeAll(async () => {
  oauth = await startOAuthTestServer({ latencyMs: 300 });
});
afterAll(async () => {
  await server?.stop();
  await oauth?.close();
});

it('a server in the middle of a refresh round exits cleanly on SIGTERM, leaving the rest for later', async () => {
  const env = {
    ...oauth.env(),
    ...OAUTH_TEST_ENV,
    EMAIL_WIZARD_OAUTH_TOKEN_RATE: '2',
    EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
    EMAIL_WIZARD_ENCRYPTION_KEYS: `sd:${randomBytes(32).toString('base64')}`,
    EMAIL_WIZARD_API_KEYS: 'shutdown-host-key',
    LOG_LEVEL: 'warn',
  };
  // Seeded through the storage layer by an app that is closed before the server starts.
  const seeder = await createTestApp(env);
  const accounts = await seedOAuthAccounts(seeder.services, oauth, { count: 40, provider: 'google', prefix: 'sigterm' });
  const ids = accounts.map((a) => a.credentialId);
  const db = seeder.services.database.db;
  await db.updateTable('oauth_credentials').set({ access_expires_at: Date.now() + 2 * 60_000 }).where('id', 'in', ids).execute();
  await db
    .insertInto('oauth_refresh_schedule')
    .values(ids.map((id) => ({ credential_id: id, due_at: Date.now() - 1000, last_used_at: Date.now() })))
    .onConflict((oc) => oc.column('credential_id').doUpdateSet({ due_at: Date.now() - 1000, last_used_at: Date.now() }))
    .execute();
  const dbFile = seeder.dbFile;
  await seeder.close();

  const before = oauth.tokenRequests.length;
  const refreshes = () => oauth.tokenRequests.slice(before).filter((r) => r.grantType === 'refresh_token').length;
  server = await startServerProcess({ env: { ...env, EMAIL_WIZARD_DB: dbFile } });
  // Under way: the first round started and has renewed a few.
  for (let waited = 0; refreshes() < 3; waited += 100) {
    if (waited > 30_000) throw new Error(`the refresher did not start: ${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const code = await server.stop();
  server = undefined;
  expect(code).toBe(0);
  const sent = refreshes();
  expect(sent).toBeLessThan(accounts.length);
  // Nothing more is sent once it has exited.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(refreshes()).toBe(sent);
}, 90_000);

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { TEST_API_KEY } from '../server/testing/app.js';
import { createTestCa } from '../server/testing/certs.js';
import { startDnsServer, type TestDnsServer } from '../server/testing/dns-server.js';
import { startDovecot, type TestDovecot } from '../server/testing/dovecot.js';
import { startOAuthTestServer, type OAuthTestServer } from '../server/testing/oauth-server.js';
import { startServerProcess, type ServerProcess } from '../server/testing/server-process.js';
import { findFreePort } from '../server/testing/listeners.js';
import { HOST_ORIGIN, hostCredentials, signIn } from '../server/testing/oauth-journeys.js';
import { httpTestApp } from './support/http-app.js';

/**
 * Durability: the real server (child process, SQLite) is killed with SIGKILL in the middle of a
 * burst of saves, and in the middle of an OAuth token refresh. After a restart every save it had
 * acknowledged is there, nothing is half-written (each row is one whole version), and the saved
 * credentials still log into Dovecot.
 */
const ca = createTestCa();
const dataDir = mkdtempSync(join(tmpdir(), 'ecw-durability-'));
const OAUTH_MAILBOX = 'oauth-owner@mail.test';
let dns: TestDnsServer;
let dovecot: TestDovecot;
let oauth: OAuthTestServer;
let server: ServerProcess;
const app = httpTestApp(() => server.url, TEST_API_KEY);

let port: number;
const environment = () => ({
  ...oauth.env(),
  // A fixed port for this file's server, so OAuth redirect URIs survive a restart.
  PORT: String(port),
  EMAIL_WIZARD_PUBLIC_URL: `http://127.0.0.1:${port}`,
  EMAIL_WIZARD_DB: join(dataDir, 'wizard.sqlite'),
  EMAIL_WIZARD_API_KEYS: TEST_API_KEY,
  // The page the sign-in is launched from (its session has no origin of its own: an allowed origin must launch it).
  EMAIL_WIZARD_ALLOWED_ORIGINS: HOST_ORIGIN,
  EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
  EMAIL_WIZARD_DNS_SERVERS: dns.address,
  NODE_EXTRA_CA_CERTS: ca.certPath,
});

beforeAll(async () => {
  oauth = await startOAuthTestServer({ accessTokenTtlSeconds: 240 });
  // An access token only goes to its provider's own mail hosts (DESIGN.md): Google's names answer here, on loopback.
  dns = await startDnsServer({
    'imap.mail.test': { A: ['127.0.0.1'] },
    'smtp.mail.test': { A: ['127.0.0.1'] },
    'imap.gmail.com': { A: ['127.0.0.1'] },
    'smtp.gmail.com': { A: ['127.0.0.1'] },
  });
  dovecot = await startDovecot({
    ca,
    certNames: ['imap.mail.test', 'localhost', 'imap.gmail.com'],
    introspect: (token) => {
      const grant = oauth.introspect(token);
      return grant ? { active: true, username: grant.email } : { active: false };
    },
  });
  port = await findFreePort();
  server = await startServerProcess({ env: environment() });
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([dovecot?.stop(), dns?.close(), oauth?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});

/** SIGKILL, no goodbye; then a new process on the same database. */
async function killAndRestart(): Promise<void> {
  process.kill(server.pid, 'SIGKILL');
  await server.stop();
  server = await startServerProcess({ env: environment() });
}

/** Version `n` of an account's settings: every field (and the password) says which version it is. */
function version(accountId: string, n: number) {
  const user = `${accountId}-v${n}@mail.test`;
  return {
    email: `${accountId}@mail.test`,
    imap: { host: 'imap.mail.test', port: dovecot.imapsPort, security: 'tls', username: user },
    smtp: { host: 'smtp.mail.test', port: 465, security: 'tls', username: user },
    auth: { method: 'password', password: `pw-${accountId}-v${n}` },
    fromName: `${accountId} v${n}`,
    checkIntervalSeconds: 60 + n,
    deleteAfterProcessing: n % 2 === 1,
  };
}

async function imapLogin(options: { port: number; servername?: string; host: string; auth: { user: string; pass?: string; accessToken?: string } }): Promise<boolean> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: options.port,
    secure: true,
    servername: options.servername ?? options.host,
    auth: options.auth as { user: string; pass: string },
    tls: { ca: ca.cert },
    logger: false,
    connectionTimeout: 5000,
  });
  await client.connect();
  await client.logout();
  return true;
}

describe('kill -9 during saves', () => {
  it('keeps every acknowledged save, whole, and the saved password still logs in', async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => `burst-${i}-${randomBytes(2).toString('hex')}`);
    const tokens = new Map<string, string>();
    for (const id of accounts) tokens.set(id, await app.session(id));
    const acknowledged = new Map<string, number>();
    const attempted = new Map<string, number>();
    let stop = false;
    let totalAcks = 0;
    let enoughAcks: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (enoughAcks = resolve));
    const writers = accounts.map(async (id) => {
      for (let n = 1; !stop; n += 1) {
        attempted.set(id, n);
        try {
          const response = await app.request('/settings', { method: 'PUT', token: tokens.get(id)!, json: version(id, n), signal: AbortSignal.timeout(10_000) });
          if (response.status !== 200) throw new Error(`save answered ${response.status}: ${await response.text()}`);
          acknowledged.set(id, n);
          if ((totalAcks += 1) >= 60) enoughAcks();
        } catch (error) {
          if (stop) return;
          throw error;
        }
      }
    });
    await enough;
    // Saves are in flight on every account as the process dies.
    process.kill(server.pid, 'SIGKILL');
    stop = true;
    await Promise.all(writers);
    await server.stop();
    server = await startServerProcess({ env: environment() });

    for (const id of accounts) {
      const response = await app.request(`/accounts/${id}/settings`, { token: TEST_API_KEY });
      expect(response.status, id).toBe(200);
      const saved = (await response.json()) as { fromName: string; imap: { username: string }; checkIntervalSeconds: number; deleteAfterProcessing: boolean };
      const n = Number(/ v(\d+)$/.exec(saved.fromName)?.[1]);
      expect(n, `${id}: the acknowledged save is there`).toBeGreaterThanOrEqual(acknowledged.get(id) ?? 0);
      expect(n, `${id}: no version from nowhere`).toBeLessThanOrEqual(attempted.get(id)!);
      // One whole version: every column and the encrypted password come from the same save.
      expect(saved).toMatchObject({ imap: { username: version(id, n).imap.username }, checkIntervalSeconds: 60 + n, deleteAfterProcessing: n % 2 === 1 });
      const credentials = (await (await hostCredentials(app, id)).json()) as { imap: { auth: { pass: string } } };
      expect(credentials.imap.auth.pass).toBe(`pw-${id}-v${n}`);
    }

    // And a saved password still logs in: Dovecot's own user, saved after the restart and once more across a kill.
    const token = await app.session('dovecot-owner');
    const user = dovecot.users[0]!;
    const settings = { ...version('dovecot-owner', 1), email: user.username, imap: { host: 'imap.mail.test', port: dovecot.imapsPort, security: 'tls', username: user.username }, auth: { method: 'password', password: user.password } };
    expect((await app.request('/settings', { method: 'PUT', token, json: settings })).status).toBe(200);
    await killAndRestart();
    const credentials = (await (await hostCredentials(app, 'dovecot-owner')).json()) as { imap: { host: string; port: number; auth: { user: string; pass: string } } };
    expect(await imapLogin(credentials.imap)).toBe(true);
    // Two restarts of the server (tsx start-up) and ~100 saves: on two shared cores that outlasts the default 30 s.
  }, 120_000);
});

describe('kill -9 during a token refresh', () => {
  it('loses neither the grant nor the settings; once the dead refresh lease lapses the credential logs into Dovecot', async () => {
    const journey = await signIn(app, oauth, { accountId: 'refresh-owner', provider: 'google', consent: { email: OAUTH_MAILBOX }, origin: '' });
    expect(journey.callback.status).toBe(200);
    const saved = await app.request('/settings', {
      method: 'PUT',
      token: journey.token,
      json: {
        email: OAUTH_MAILBOX,
        imap: { host: 'imap.gmail.com', port: dovecot.imapsPort, security: 'tls', username: OAUTH_MAILBOX },
        smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls', username: OAUTH_MAILBOX },
        auth: { method: 'oauth', provider: 'google' },
      },
    });
    expect(saved.status).toBe(200);

    // A token that is not due is handed out as it is (DESIGN.md): the host refreshes it the way a
    // fetcher whose login was refused does, with forceRefresh.
    const refreshNow = () => app.request('/accounts/refresh-owner/credentials', { method: 'POST', token: TEST_API_KEY, json: { forceRefresh: true } });
    const refreshes = () => oauth.tokenRequests.filter((request) => request.grantType === 'refresh_token').length;

    // The provider stumbles (503, the server backs off and retries): the refresh is in flight, its lease held.
    oauth.failTokenRequests(1, 503);
    const refreshesBefore = refreshes();
    const pending = refreshNow().catch(() => undefined);
    await expect.poll(refreshes, { timeout: 10_000, interval: 5 }).toBeGreaterThan(refreshesBefore);
    await killAndRestart();
    await pending;
    const refreshesAtRestart = refreshes();

    // The settings are whole, and the grant still refreshes once the dead process's refresh lease (60 s)
    // has lapsed: until then the host is told to come back (503 with Retry-After), as it would be.
    const settings = (await (await app.request('/accounts/refresh-owner/settings', { token: TEST_API_KEY })).json()) as { auth: { method: string } };
    expect(settings.auth).toMatchObject({ method: 'oauth' });
    let response = await refreshNow();
    await expect
      .poll(
        async () => {
          if (response.status === 503) response = await refreshNow();
          return response.status;
        },
        { timeout: 110_000, interval: 2000 },
      )
      .toBe(200);
    expect(refreshes(), 'the new token came from a refresh with the kept grant').toBeGreaterThan(refreshesAtRestart);
    const credentials = (await response.json()) as { imap: { host: string; port: number; auth: { user: string; accessToken: string } } };
    expect(credentials.imap.auth.user).toBe(OAUTH_MAILBOX);
    expect(await imapLogin(credentials.imap)).toBe(true);
  }, 150_000);
});

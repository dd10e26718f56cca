import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import type { TestMailServers } from '../testing/mail-servers.js';
import { startOAuthMailServers } from '../testing/oauth-mail-servers.js';
import { useTestCa } from '../testing/mail-tests.js';
import { OAUTH_TEST_ENV, signIn } from '../testing/oauth-journeys.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { imapNotConnectedScript, startScriptedServer, type ScriptedServer } from '../testing/scripted-servers.js';

/**
 * Issue 12 §2: the mailbox (imap/smtp user name) and the signed-in account (whose token is used)
 * are two things. Real Dovecot (oauth2 passdb asking an introspection endpoint) and smtp-server
 * (XOAUTH2) play Exchange Online and Gmail under their own host names (local DNS, test CA):
 * an account with Full Access to a shared mailbox gets that mailbox's name back from
 * introspection, as Exchange lets the agent in; without access the login is refused.
 */
const AGENT = 'agent@contoso.test';
const SHARED = 'support@contoso.test';
const PERSONAL = 'me@outlook.test';
const GMAIL = 'desk@gmail.test';
const HOSTS = ['outlook.office365.com', 'smtp.office365.com', 'imap.gmail.com', 'smtp.gmail.com'];

let oauth: OAuthTestServer;
let mail: TestMailServers;
let app: TestApp;
/** Which mailbox each signed-in account may open besides its own (Full Access). */
const fullAccess = new Map<string, string>();
const scripted: ScriptedServer[] = [];

/** The mailbox a token opens: the delegated one when its account has Full Access, else its own. */
function mailboxOf(token: string): string | undefined {
  const grant = oauth.introspect(token);
  return grant && (fullAccess.get(grant.email) ?? grant.email);
}

beforeAll(async () => {
  oauth = await startOAuthTestServer();
  mail = await startOAuthMailServers(oauth, { mailboxes: [SHARED, AGENT, GMAIL, PERSONAL], extraNames: HOSTS, mailboxOf });
  app = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV, ...mail.env });
  useTestCa(app, mail.ca.cert);
});
afterAll(async () => {
  await Promise.all(scripted.map((server) => server.stop()));
  await app?.close();
  await mail?.stop();
  await oauth?.close();
});

const microsoft = (mailbox: string, imapPort = mail.dovecot.imapsPort) => ({
  email: mailbox,
  imap: { host: 'outlook.office365.com', port: imapPort, security: 'tls', username: mailbox },
  smtp: { host: 'smtp.office365.com', port: mail.smtp.securePort, security: 'tls', username: mailbox },
});
const google = (mailbox: string) => ({
  email: mailbox,
  imap: { host: 'imap.gmail.com', port: mail.dovecot.imapsPort, security: 'tls', username: mailbox },
  smtp: { host: 'smtp.gmail.com', port: mail.smtp.securePort, security: 'tls', username: mailbox },
});

async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}
const hostSettings = (accountId: string) => json(app.request(`/accounts/${accountId}/settings`, { token: TEST_API_KEY }));
const hostCredentials = (accountId: string) => app.request(`/accounts/${accountId}/credentials`, { method: 'POST', token: TEST_API_KEY });

/** Opens INBOX in Dovecot with exactly what the credentials endpoint handed out. */
async function hostOpensMailbox(auth: { user: string; accessToken: string }): Promise<boolean> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: mail.dovecot.imapsPort,
    secure: true,
    tls: { ca: [mail.ca.cert], servername: 'outlook.office365.com' },
    auth,
    logger: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.logout();
    return true;
  } catch {
    return false;
  }
}

describe('a Microsoft 365 shared mailbox', () => {
  it('works end to end: the test passes, and the host gets the mailbox as user with the token of exactly the saved account', async () => {
    fullAccess.set(AGENT, SHARED);
    const journey = await signIn(app, oauth, { accountId: 'shared', provider: 'microsoft', consent: { email: AGENT } });
    expect(journey.callback.status).toBe(200);
    // The flow names the signed-in account, so the widget can say it differs from the mailbox.
    expect(await json(app.request(`/oauth/flows/${journey.flowId}`, { token: journey.token }))).toEqual({ status: 'connected', email: AGENT });

    const body = { ...microsoft(SHARED), auth: { method: 'oauth', provider: 'microsoft', account: AGENT } };
    const tested = await json(app.request('/test', { method: 'POST', token: journey.token, json: body }));
    expect(tested).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });
    const saved = await json(app.request('/settings', { method: 'PUT', token: journey.token, json: body }));
    expect(saved.status).toBe('connected');
    expect(saved.auth).toMatchObject({ method: 'oauth', provider: 'microsoft', account: AGENT });
    expect((await json(app.request('/settings', { token: journey.token }))).auth).toMatchObject({ method: 'oauth', provider: 'microsoft', account: AGENT });

    const credentials = await json(hostCredentials('shared'));
    expect(credentials.imap.auth.user).toBe(SHARED);
    expect(credentials.smtp.auth).toMatchObject({ type: 'OAuth2', user: SHARED });
    expect(oauth.introspect(credentials.imap.auth.accessToken)?.email).toBe(AGENT);
    expect(await hostOpensMailbox(credentials.imap.auth)).toBe(true);
    expect((await hostSettings('shared')).status).toBe('connected');
  });

  it('a later sign-in with another account (the account picker chose a personal one) changes nothing saved', async () => {
    const before = await json(hostCredentials('shared'));
    const journey = await signIn(app, oauth, { accountId: 'shared', provider: 'microsoft', consent: { email: PERSONAL } });
    expect(journey.callback.status).toBe(200);
    expect(await json(app.request(`/oauth/flows/${journey.flowId}`, { token: journey.token }))).toEqual({ status: 'connected', email: PERSONAL });

    const settings = await hostSettings('shared');
    expect(settings).toMatchObject({ status: 'connected', auth: { account: AGENT }, imap: { username: SHARED } });
    const after = await json(hostCredentials('shared'));
    expect(after.imap.auth.user).toBe(SHARED);
    expect(oauth.introspect(after.imap.auth.accessToken)?.email).toBe(AGENT);
    expect(after.imap.auth.accessToken).toBe(before.imap.auth.accessToken);
  });

  it('an account without access to the shared mailbox: XOAUTH2 refused for another user → ACCOUNT_MISMATCH on auth, status failing', async () => {
    fullAccess.delete(PERSONAL);
    const journey = await signIn(app, oauth, { accountId: 'no-access', provider: 'microsoft', consent: { email: PERSONAL } });
    const body = { ...microsoft(SHARED), auth: { method: 'oauth', provider: 'microsoft', account: PERSONAL } };
    expect((await app.request('/settings', { method: 'PUT', token: journey.token, json: body })).status).toBe(200);
    const answer = await json(app.request('/test', { method: 'POST', token: journey.token, json: {} }));
    for (const protocol of ['imap', 'smtp']) {
      expect(answer[protocol].error).toMatchObject({ code: 'ACCOUNT_MISMATCH', field: 'auth' });
    }
    expect(answer.imap.error.message).toContain(PERSONAL);
    expect(answer.imap.error.steps.join(' ')).toMatch(/Full Access/);
    expect(answer.smtp.error.sameCauseAs).toBe('imap');
    expect((await hostSettings('no-access')).status).toBe('failing');
  });

  it('Exchange\'s "NO User is authenticated but not connected." → ACCOUNT_MISMATCH with steps, not IMAP_DISABLED or a password error', async () => {
    const certificate = mail.ca.issue(['outlook.office365.com']);
    const exchange = await startScriptedServer(imapNotConnectedScript(certificate));
    scripted.push(exchange);
    fullAccess.set(AGENT, SHARED);
    const journey = await signIn(app, oauth, { accountId: 'not-connected', provider: 'microsoft', consent: { email: AGENT } });
    const refreshes = oauth.tokenRequests.filter((request) => request.grantType === 'refresh_token').length;
    const answer = await json(
      app.request('/test', {
        method: 'POST',
        token: journey.token,
        json: { imap: microsoft(SHARED, exchange.port).imap, auth: { method: 'oauth', provider: 'microsoft', account: AGENT } },
      }),
    );
    expect(answer.imap.error).toMatchObject({ code: 'ACCOUNT_MISMATCH', field: 'auth' });
    expect(answer.imap.error.message).toContain('User is authenticated but not connected');
    expect(answer.imap.error.steps.join(' ')).toMatch(/Full Access/);
    // The token was accepted: no refresh is spent on it.
    expect(oauth.tokenRequests.filter((request) => request.grantType === 'refresh_token').length).toBe(refreshes);
  });
});

describe('Google has no shared mailboxes over IMAP', () => {
  it('a mailbox other than the signed-in address → 400 ACCOUNT_MISMATCH on auth, for saving and for testing, nothing saved', async () => {
    const journey = await signIn(app, oauth, { accountId: 'gmail', provider: 'google', consent: { email: GMAIL } });
    const body = { ...google('other@gmail.test'), auth: { method: 'oauth', provider: 'google' } };
    for (const [method, path] of [['PUT', '/settings'], ['POST', '/test']] as const) {
      const response = await app.request(path, { method, token: journey.token, json: body });
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatchObject({ code: 'ACCOUNT_MISMATCH', field: 'auth' });
    }
    expect((await app.request('/settings', { token: journey.token })).status).toBe(404);
    // The signed-in address itself works.
    const own = await json(app.request('/settings', { method: 'PUT', token: journey.token, json: { ...google(GMAIL), auth: { method: 'oauth', provider: 'google' } } }));
    expect(own.auth).toMatchObject({ method: 'oauth', provider: 'google', account: GMAIL });
  });

  it('naming an account that never signed in → 409 OAUTH_NOT_CONNECTED on auth.account', async () => {
    const journey = await signIn(app, oauth, { accountId: 'gmail-unknown', provider: 'google', consent: { email: GMAIL } });
    const response = await app.request('/settings', {
      method: 'PUT',
      token: journey.token,
      json: { ...google('nobody@gmail.test'), auth: { method: 'oauth', provider: 'google', account: 'nobody@gmail.test' } },
    });
    expect(response.status).toBe(409);
    expect((await response.json()).error).toMatchObject({ code: 'OAUTH_NOT_CONNECTED', field: 'auth.account' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import type { TestMailServers } from '../testing/mail-servers.js';
import { startOAuthMailServers } from '../testing/oauth-mail-servers.js';
import { useTestCa } from '../testing/mail-tests.js';
import { OAUTH_TEST_ENV, signIn } from '../testing/oauth-journeys.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';

/**
 * Issue 12 §1, second half: a revoked grant (a changed password, an admin removing the app)
 * whose access token has not expired. A mail server that refuses the token gets one forced
 * refresh at once; `invalid_grant` then marks the account `needs_reauth`, and the host's
 * credentials endpoint answers 409 instead of handing out the dead token for up to an hour.
 * Real Dovecot (oauth2 passdb + introspection of the OAuth server's tokens) and smtp-server.
 */
let oauth: OAuthTestServer;
let mail: TestMailServers;
let app: TestApp;
/** Tokens the mail servers refuse although the OAuth server still knows them. */
const refused = new Set<string>();

function owner(token: string): string | undefined {
  return refused.has(token) ? undefined : oauth.introspect(token)?.email;
}

beforeAll(async () => {
  oauth = await startOAuthTestServer();
  mail = await startOAuthMailServers(oauth, {
    mailboxes: ['revoked@contoso.test', 'refused@contoso.test', 'force@contoso.test', 'outage@contoso.test'],
    extraNames: ['outlook.office365.com', 'smtp.office365.com'],
    mailboxOf: owner,
  });
  app = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV, ...mail.env });
  useTestCa(app, mail.ca.cert);
});
afterAll(async () => {
  await app?.close();
  await mail?.stop();
  await oauth?.close();
});

const settingsFor = (mailbox: string) => ({
  email: mailbox,
  imap: { host: 'outlook.office365.com', port: mail.dovecot.imapsPort, security: 'tls', username: mailbox },
  smtp: { host: 'smtp.office365.com', port: mail.smtp.securePort, security: 'tls', username: mailbox },
  auth: { method: 'oauth', provider: 'microsoft' },
});
const credentials = (accountId: string, json?: unknown) =>
  app.request(`/accounts/${accountId}/credentials`, { method: 'POST', token: TEST_API_KEY, ...(json === undefined ? {} : { json }) });
const status = async (accountId: string) => ((await (await app.request(`/accounts/${accountId}/settings`, { token: TEST_API_KEY })).json()) as any).status;
const refreshes = () => oauth.tokenRequests.filter((request) => request.grantType === 'refresh_token').length;

/** Signs in, tests and saves: a connected Microsoft mailbox. */
async function connectedMailbox(accountId: string, mailbox: string): Promise<string> {
  const journey = await signIn(app, oauth, { accountId, provider: 'microsoft', consent: { email: mailbox } });
  expect(journey.callback.status).toBe(200);
  expect(((await (await app.request('/test', { method: 'POST', token: journey.token, json: settingsFor(mailbox) })).json()) as any).ok).toBe(true);
  const saved = await app.request('/settings', { method: 'PUT', token: journey.token, json: settingsFor(mailbox) });
  expect(((await saved.json()) as any).status).toBe('connected');
  return journey.token;
}

describe('a revoked grant whose access token has not expired', () => {
  it('the test refreshes once, names the refused grant, marks needs_reauth; the credentials endpoint answers 409', async () => {
    const token = await connectedMailbox('revoked', 'revoked@contoso.test');
    expect((await credentials('revoked')).status).toBe(200);
    oauth.revokeGrantEverywhere('revoked@contoso.test');
    const before = refreshes();

    const answer = (await (await app.request('/test', { method: 'POST', token, json: {} })).json()) as any;
    for (const protocol of ['imap', 'smtp']) {
      expect(answer[protocol].error).toMatchObject({ code: 'OAUTH_TOKEN_INVALID', field: 'auth.provider' });
    }
    expect(answer.imap.error.message).toMatch(/no longer accepts/);
    // One refresh for both protocols, at once.
    expect(refreshes() - before).toBe(1);

    expect(await status('revoked')).toBe('needs_reauth');
    const refusedCredentials = await credentials('revoked');
    expect(refusedCredentials.status).toBe(409);
    expect(((await refusedCredentials.json()) as any).error.code).toBe('OAUTH_REAUTH_REQUIRED');
    expect(refreshes() - before).toBe(1);
  });

  it('a token the mail server refuses while the grant is alive: refreshed once, tested again, connected', async () => {
    const token = await connectedMailbox('refused', 'refused@contoso.test');
    const old = ((await (await credentials('refused')).json()) as any).imap.auth.accessToken as string;
    refused.add(old);
    const before = refreshes();
    const answer = (await (await app.request('/test', { method: 'POST', token, json: {} })).json()) as any;
    expect(answer).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });
    expect(refreshes() - before).toBe(1);
    expect(await status('refused')).toBe('connected');
    const fresh = ((await (await credentials('refused')).json()) as any).imap.auth.accessToken as string;
    expect(fresh).not.toBe(old);
  });
});

describe('a refused token while the provider is down', () => {
  it('is a TEMPORARY_FAILURE with no field, not "sign in again", and the grant is not marked', async () => {
    const token = await connectedMailbox('outage', 'outage@contoso.test');
    const old = ((await (await credentials('outage')).json()) as any).imap.auth.accessToken as string;
    refused.add(old);
    oauth.failTokenRequests(20, 503);
    try {
      const answer = (await (await app.request('/test', { method: 'POST', token, json: {} })).json()) as any;
      expect(answer.imap.error.code).toBe('TEMPORARY_FAILURE');
      expect(answer.imap.error.field).toBeUndefined();
      expect(answer.smtp.error).toMatchObject({ code: 'TEMPORARY_FAILURE', sameCauseAs: 'imap' });
    } finally {
      oauth.clearTokenFaults();
    }
    expect(await status('outage')).not.toBe('needs_reauth');
  }, 60_000);
});

describe('POST /accounts/:id/credentials {"forceRefresh": true}', () => {
  it('fetches a new token at once for a fetcher whose login was refused; a revoked grant → 409 and needs_reauth', async () => {
    await connectedMailbox('force', 'force@contoso.test');
    const first = ((await (await credentials('force')).json()) as any).imap.auth.accessToken as string;
    const before = refreshes();
    const forced = await credentials('force', { forceRefresh: true });
    expect(forced.status).toBe(200);
    const second = ((await forced.json()) as any).imap.auth.accessToken as string;
    expect(second).not.toBe(first);
    expect(refreshes() - before).toBe(1);
    // Without it, the token that is not due is handed out as it is.
    expect(((await (await credentials('force')).json()) as any).imap.auth.accessToken).toBe(second);
    expect(refreshes() - before).toBe(1);

    const bad = await credentials('force', { forceRefresh: 'yes' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.field).toBe('forceRefresh');

    oauth.revokeGrantEverywhere('force@contoso.test');
    const gone = await credentials('force', { forceRefresh: true });
    expect(gone.status).toBe(409);
    expect(((await gone.json()) as any).error.code).toBe('OAUTH_REAUTH_REQUIRED');
    expect(await status('force')).toBe('needs_reauth');
  });
});

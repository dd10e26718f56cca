import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.js';
import { startOAuthTestServer, type OAuthTestServer } from '../../testing/oauth-server.js';
import { callbackRequest, HOST_ORIGIN, launchSignIn, OAUTH_TEST_ENV, signIn } from '../../testing/oauth-journeys.js';
import { WATCHERS_PER_SESSION } from './oauth.js';

/**
 * The OAuth callback is bound to the browser that opened the sign-in (RFC 9700 §4.7.1). The attack:
 * someone holding a widget session starts a sign-in and gets a victim to finish it, collecting the
 * victim's grant under their account. "Another browser" is a request without the first browser's
 * cookie jar.
 */

let oauth: OAuthTestServer;
let app: TestApp;

beforeAll(async () => {
  oauth = await startOAuthTestServer();
  app = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV });
});
afterAll(async () => {
  await app?.close();
  await oauth?.close();
});

const codeOf = (html: string) => /"code":"([A-Z_]+)"/.exec(html)?.[1];
const credentialsOf = (accountId: string) =>
  app.services.database.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', accountId).execute();
const flowRow = (flowId: string) => app.services.database.db.selectFrom('oauth_flows').selectAll().where('id', '=', flowId).executeTakeFirstOrThrow();

async function start(accountId: string, provider: 'google' | 'microsoft' = 'google', origin: string | undefined = HOST_ORIGIN) {
  const token = await app.session(accountId, origin ? { origin } : {});
  oauth.setConsent({ email: `${accountId}@example.com` });
  const response = await app.request(`/oauth/${provider}`, { method: 'POST', token, json: {} });
  return { token, ...((await response.json()) as { authorizationUrl: string; flowId: string }) };
}

describe('the callback from another browser', () => {
  it.each(['google', 'microsoft'] as const)('%s: the same callback URL without the first browser’s cookie is a 4xx page, OAUTH_BROWSER_MISMATCH, and stores nothing', async (provider) => {
    const accountId = `attacker-${provider}`;
    const journeyStart = await start(accountId, provider);
    const attacker = await launchSignIn(app, journeyStart.authorizationUrl);
    expect(attacker.response.status).toBe(303);
    // The victim consents at the provider; their browser is sent to the callback.
    const step = await oauth.authorize(attacker.providerUrl);

    // Another browser: no cookie. Microsoft's form_post first gets the same-origin relay page, whose
    // second POST still carries no cookie of this flow.
    let victim = await app.fetch(callbackRequest(step));
    if (provider === 'microsoft') {
      expect(victim.status).toBe(200);
      const relay = await victim.text();
      expect(relay).toContain('name="ecw_relay" value="1"');
      expect(victim.headers.get('content-security-policy')).toContain("form-action 'self'");
      const relayed = new URLSearchParams(step.form);
      relayed.set('ecw_relay', '1');
      victim = await app.fetch(callbackRequest({ ...step, form: relayed }));
    }
    const html = await victim.text();
    expect(victim.status).toBeGreaterThanOrEqual(400);
    expect(victim.status).toBeLessThan(500);
    expect(codeOf(html)).toBe('OAUTH_BROWSER_MISMATCH');
    expect(html).toContain('"targetOrigin":null'); // tells no widget anything
    expect(await credentialsOf(accountId)).toEqual([]);
    expect(await flowRow(journeyStart.flowId)).toMatchObject({ status: 'pending', consumed_at: null, result_email: null, credential_id: null });
    const tokenRequests = oauth.tokenRequests.length;

    // The browser that opened the sign-in still finishes it.
    const own = await app.fetch(callbackRequest(step, attacker.cookie));
    expect(own.status).toBe(200);
    expect(await credentialsOf(accountId)).toHaveLength(1);
    expect(oauth.tokenRequests.length).toBe(tokenRequests + 1);
  });

  it('a cookie from another flow (or a made-up one) does not open this one', async () => {
    const first = await start('two-flows');
    const firstBrowser = await launchSignIn(app, first.authorizationUrl);
    const second = await start('two-flows-b');
    const secondBrowser = await launchSignIn(app, second.authorizationUrl);
    const step = await oauth.authorize(secondBrowser.providerUrl);
    const otherCookie = firstBrowser.cookie.replace(first.flowId, second.flowId);
    for (const cookie of [firstBrowser.cookie, otherCookie, `ecw_oauth_${second.flowId}=forged`]) {
      const response = await app.fetch(callbackRequest(step, cookie));
      expect(codeOf(await response.text())).toBe('OAUTH_BROWSER_MISMATCH');
    }
    expect(await credentialsOf('two-flows-b')).toEqual([]);
  });
});

describe('opening a sign-in (the launch)', () => {
  it('sets a first-party, HttpOnly, SameSite=Lax cookie scoped to the callback, then sends the browser to the provider', async () => {
    const { authorizationUrl, flowId } = await start('launch-ok');
    expect(new URL(authorizationUrl).pathname).toBe('/api/email-settings/oauth/google/launch');
    const launched = await launchSignIn(app, authorizationUrl);
    expect(launched.response.status).toBe(303);
    expect(launched.providerUrl.startsWith(`${oauth.url}/google/authorize?`)).toBe(true);
    const cookie = launched.response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^ecw_oauth_${flowId}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toContain('Path=/api/email-settings/oauth/google/callback');
    expect((await flowRow(flowId)).browser_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await flowRow(flowId)).browser_hash).not.toContain(cookie.split('=')[1]!.split(';')[0]!);
  });

  it('over HTTPS the cookie is Secure and SameSite=None, so a cross-site form_post carries it', async () => {
    const secureApp = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV, EMAIL_WIZARD_PUBLIC_URL: 'https://wizard.example' });
    try {
      const token = await secureApp.session('launch-https', { origin: HOST_ORIGIN });
      const started = (await (await secureApp.request('/oauth/microsoft', { method: 'POST', token, json: {} })).json()) as { authorizationUrl: string };
      expect(started.authorizationUrl.startsWith('https://wizard.example/api/email-settings/oauth/microsoft/launch?state=')).toBe(true);
      const launched = await launchSignIn(secureApp, started.authorizationUrl);
      const cookie = launched.response.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/SameSite=None/i);
      expect(cookie).toMatch(/HttpOnly/i);
    } finally {
      await secureApp.close();
    }
  });

  it('a link (GET), another site’s form, a form without Origin, and a second launch are refused; none binds the flow', async () => {
    const { authorizationUrl, flowId } = await start('launch-attacks');
    const asLink = await app.fetch(new Request(authorizationUrl));
    expect(asLink.status).toBe(400);
    expect(codeOf(await asLink.text())).toBe('OAUTH_BROWSER_MISMATCH');
    for (const origin of ['https://evil.example', 'null', 'http://localhost:3000']) {
      const other = await launchSignIn(app, authorizationUrl, origin);
      const page = await other.response.text();
      expect({ origin, status: other.response.status, code: codeOf(page) }).toEqual({ origin, status: 400, code: 'OAUTH_BROWSER_MISMATCH' });
      expect(other.response.headers.get('set-cookie')).toBeNull();
      // The page says which it was: a page of another site, or a page that sent no origin (a no-referrer policy).
      if (origin === 'null') expect(page).toContain('did not say which site it is');
      else expect(page).toContain(`opened from ${origin}`);
      expect(page).not.toContain('finished in another browser');
    }
    const url = new URL(authorizationUrl);
    const noOrigin = await app.fetch(
      new Request(`${url.origin}${url.pathname}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: url.searchParams.toString() }),
    );
    expect(noOrigin.status).toBe(400);
    expect((await flowRow(flowId)).browser_hash).toBeNull();

    expect((await launchSignIn(app, authorizationUrl)).response.status).toBe(303);
    const again = await launchSignIn(app, authorizationUrl);
    expect(again.response.status).toBe(409);
    expect(codeOf(await again.response.text())).toBe('OAUTH_STATE_USED');
  });

  it('a session without an origin launches from any allowed origin only', async () => {
    const { authorizationUrl } = await start('launch-no-origin', 'google', undefined);
    expect((await launchSignIn(app, authorizationUrl, 'https://evil.example')).response.status).toBe(400);
    expect((await launchSignIn(app, authorizationUrl, HOST_ORIGIN)).response.status).toBe(303);
  });

  it('redirect mode keeps working: the callback sends the bound browser back to the page', async () => {
    const journey = await signIn(app, oauth, { accountId: 'redirect-mode', provider: 'google', returnUrl: `${HOST_ORIGIN}/settings` });
    expect(journey.callback.status).toBe(200);
    expect(journey.html).toContain(`${HOST_ORIGIN}/settings?ecw_oauth_flow=${journey.flowId}`);
    const stranger = await journey.fromAnotherBrowser();
    expect(codeOf(await stranger.text())).toBe('OAUTH_STATE_USED');
  });
});

describe('flow-status streams', () => {
  it(`one session may hold ${WATCHERS_PER_SESSION} at once; the next is 429 until one closes`, async () => {
    const { token, flowId } = await start('watchers');
    const open = async () => app.request(`/oauth/flows/${flowId}`, { token, headers: { Accept: 'text/event-stream' } });
    const streams = [];
    for (let i = 0; i < WATCHERS_PER_SESSION; i += 1) {
      const response = await open();
      expect(response.status).toBe(200);
      streams.push(response);
    }
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Polling without a stream still works.
    expect((await app.request(`/oauth/flows/${flowId}`, { token })).status).toBe(200);
    // Another session is not affected.
    const other = await app.session('watchers', { origin: HOST_ORIGIN });
    const elsewhere = await app.request(`/oauth/flows/${flowId}`, { token: other, headers: { Accept: 'text/event-stream' } });
    expect(elsewhere.status).toBe(200);
    await elsewhere.body!.cancel();
    await streams.pop()!.body!.cancel();
    let reopened = await open();
    for (let tries = 0; reopened.status === 429 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reopened = await open();
    }
    expect(reopened.status).toBe(200);
    for (const stream of [...streams, reopened]) await stream.body!.cancel();
  });
});

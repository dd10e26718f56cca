import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { HOST_ORIGIN, OAUTH_TEST_ENV, callbackRequest, hostCredentials, launchSignIn, saveOAuthSettings, signIn } from '../testing/oauth-journeys.js';

let oauth: OAuthTestServer;
let app: TestApp;

beforeAll(async () => {
  oauth = await startOAuthTestServer({ google: { clientId: 'google-client', clientSecret: 'google-secret' } });
  app = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV });
});
afterAll(async () => {
  await app?.close();
  await oauth?.close();
});

const flowStatus = async (token: string, flowId: string) => {
  const response = await app.request(`/oauth/flows/${flowId}`, { token });
  return { status: response.status, body: (await response.json()) as { status: string; email?: string; error?: { code: string; message: string } } };
};

describe('Google sign-in', () => {
  it('starts with the right authorisation request, connects, and the host gets a working token', async () => {
    const journey = await signIn(app, oauth, { accountId: 'g-happy', provider: 'google' });
    const auth = new URL(journey.authorizationUrl);
    expect(auth.origin + auth.pathname).toBe(`${oauth.url}/google/authorize`);
    expect(auth.searchParams.get('scope')).toBe('https://mail.google.com/ openid email');
    expect(auth.searchParams.get('access_type')).toBe('offline');
    expect(auth.searchParams.get('prompt')).toBe('consent');
    expect(auth.searchParams.get('login_hint')).toBe('g-happy@example.com');
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toBe('http://localhost/api/email-settings/oauth/google/callback');
    expect(auth.searchParams.get('state')).toMatch(new RegExp(`^${journey.flowId}\\.`));

    expect(journey.callback.status).toBe(200);
    expect(journey.callback.headers.get('content-security-policy')).toContain("script-src 'nonce-");
    expect(journey.html).toContain(`"targetOrigin":"${HOST_ORIGIN}"`);
    expect(journey.html).not.toMatch(/postMessage\([^)]*['"]\*['"]/);
    expect(journey.html).not.toMatch(/at_|rt_|code=/);

    expect(await flowStatus(journey.token, journey.flowId)).toEqual({ status: 200, body: { status: 'connected', email: 'g-happy@example.com' } });

    const saved = await saveOAuthSettings(app, journey.token, 'google', 'g-happy@example.com');
    expect(saved.status).toBe(200);
    const view = (await saved.json()) as { auth: { connected: boolean; email: string; needsReauthorization: boolean } };
    expect(view.auth).toMatchObject({ method: 'oauth', provider: 'google', connected: true, email: 'g-happy@example.com', needsReauthorization: false });

    const credentials = await hostCredentials(app, 'g-happy');
    expect(credentials.status).toBe(200);
    const body = (await credentials.json()) as { imap: { auth: { user: string; accessToken: string } }; smtp: { auth: { type: string; user: string; accessToken: string } } };
    expect(body.imap.auth.user).toBe('g-happy@example.com');
    expect(oauth.introspect(body.imap.auth.accessToken)).toMatchObject({ email: 'g-happy@example.com', provider: 'google' });
    expect(body.smtp.auth).toMatchObject({ type: 'OAuth2', user: 'g-happy@example.com', accessToken: body.imap.auth.accessToken });

    const row = await app.services.database.db.selectFrom('oauth_credentials').selectAll().where('account_id', '=', 'g-happy').executeTakeFirstOrThrow();
    expect(row.access_token_enc).not.toContain(body.imap.auth.accessToken);
    expect(row.access_token_enc).toMatch(/^v1:/);
    expect(row.refresh_token_enc).toMatch(/^v1:/);
    expect(row.scopes).toContain('https://mail.google.com/');
    const logs = app.logLines.join('\n');
    expect(logs).not.toContain(body.imap.auth.accessToken);
    expect(logs).not.toContain(new URL(journey.authorizationUrl).searchParams.get('state')!);
  });

  it('reconnecting the same mailbox updates its credential instead of adding one', async () => {
    await signIn(app, oauth, { accountId: 'g-again', provider: 'google' });
    const second = await signIn(app, oauth, { accountId: 'g-again', provider: 'google' });
    expect(second.callback.status).toBe(200);
    const rows = await app.services.database.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', 'g-again').execute();
    expect(rows).toHaveLength(1);
  });

  it('redirect mode sends the browser back to the allowed return URL; other URLs are refused', async () => {
    const journey = await signIn(app, oauth, { accountId: 'g-redirect', provider: 'google', returnUrl: `${HOST_ORIGIN}/settings/mail?tab=1` });
    expect(journey.callback.status).toBe(200);
    expect(journey.html).toContain(`"returnUrl":"${HOST_ORIGIN}/settings/mail?tab=1\\u0026ecw_oauth_flow=${journey.flowId}\\u0026ecw_oauth_status=connected"`);

    const token = await app.session('g-redirect', { origin: HOST_ORIGIN });
    const refused = await app.request('/oauth/google', { method: 'POST', token, json: { returnUrl: 'https://evil.example/steal' } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RETURN_URL_NOT_ALLOWED');
  });

  it('a session origin that may not embed the widget gets no postMessage either', async () => {
    const journey = await signIn(app, oauth, { accountId: 'g-unlisted', provider: 'google', origin: 'https://unlisted.example' });
    expect(journey.callback.status).toBe(200);
    expect(journey.html).toContain('"targetOrigin":null');
  });

  it('sign-in starts are rate limited per account', async () => {
    const token = await app.session('g-limit');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await app.request('/oauth/google', { method: 'POST', token, json: {} })).status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(200));
    const refused = await app.request('/oauth/google', { method: 'POST', token, json: {} });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
  });

  it('without a session origin the page posts no message at all', async () => {
    const journey = await signIn(app, oauth, { accountId: 'g-no-origin', provider: 'google', origin: '' });
    expect(journey.callback.status).toBe(200);
    expect(journey.html).toContain('"targetOrigin":null');
  });
});

describe('Microsoft sign-in', () => {
  it('uses the tenant endpoints, form_post and the mail scopes, and connects', async () => {
    const journey = await signIn(app, oauth, { accountId: 'ms-happy', provider: 'microsoft' });
    const auth = new URL(journey.authorizationUrl);
    expect(auth.origin + auth.pathname).toBe(`${oauth.url}/microsoft/common/oauth2/v2.0/authorize`);
    expect(auth.searchParams.get('scope')).toBe(
      'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access openid email',
    );
    expect(auth.searchParams.get('response_mode')).toBe('form_post');
    expect(auth.searchParams.get('login_hint')).toBe('ms-happy@example.com');
    // The test server refuses a public client's code redemption without an Origin header, as Microsoft does.
    expect(journey.callback.status).toBe(200);
    expect(await flowStatus(journey.token, journey.flowId)).toEqual({ status: 200, body: { status: 'connected', email: 'ms-happy@example.com' } });
  });
});

describe('refused callbacks', () => {
  const codeOf = (html: string) => /<code>([A-Z_]+)<\/code>/.exec(html)?.[1];

  it('a replayed state is refused and the first outcome stands', async () => {
    const journey = await signIn(app, oauth, { accountId: 'r-replay', provider: 'google' });
    expect(journey.callback.status).toBe(200);
    const again = await journey.replay();
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(codeOf(html)).toBe('OAUTH_STATE_USED');
    expect(html).toContain('"targetOrigin":null');
    expect((await flowStatus(journey.token, journey.flowId)).body.status).toBe('connected');
  });

  it('an expired state is refused', async () => {
    const token = await app.session('r-expired', { origin: HOST_ORIGIN });
    const started = (await (await app.request('/oauth/google', { method: 'POST', token, json: {} })).json()) as { authorizationUrl: string; flowId: string };
    const browser = await launchSignIn(app, started.authorizationUrl);
    await app.services.database.db.updateTable('oauth_flows').set({ expires_at: Date.now() - 1 }).where('id', '=', started.flowId).execute();
    expect((await flowStatus(token, started.flowId)).body).toMatchObject({ status: 'failed', error: { code: 'OAUTH_STATE_EXPIRED' } });
    const step = await oauth.authorize(browser.providerUrl);
    const response = await app.fetch(callbackRequest(step, browser.cookie));
    expect(response.status).toBe(410);
    expect(codeOf(await response.text())).toBe('OAUTH_STATE_EXPIRED');
  });

  it("a state started for Google is refused at Microsoft's callback", async () => {
    const journey = await signIn(app, oauth, {
      accountId: 'r-wrong',
      provider: 'google',
      tamper: (url) => (url.pathname = url.pathname.replace('/google/', '/microsoft/')),
    });
    expect(journey.callback.status).toBe(400);
    expect(codeOf(journey.html)).toBe('OAUTH_WRONG_PROVIDER');
    expect((await flowStatus(journey.token, journey.flowId)).body).toMatchObject({ status: 'failed', error: { code: 'OAUTH_WRONG_PROVIDER' } });
  });

  it('unknown, forged and missing states are refused without touching any flow', async () => {
    const journey = await signIn(app, oauth, {
      accountId: 'r-forged',
      provider: 'google',
      tamper: (url) => url.searchParams.set('state', url.searchParams.get('state')!.slice(0, -2) + 'xx'),
    });
    expect(journey.callback.status).toBe(400);
    expect(codeOf(journey.html)).toBe('OAUTH_STATE_INVALID');
    expect((await flowStatus(journey.token, journey.flowId)).body.status).toBe('pending');
    for (const query of ['', '?code=abc', '?state=nonsense&code=abc', '?state=%3Cscript%3E']) {
      const response = await app.fetch(new Request(`http://localhost/api/email-settings/oauth/google/callback${query}`));
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(codeOf(html)).toBe('OAUTH_STATE_INVALID');
      expect(html).not.toContain('<script>');
    }
    const post = await app.fetch(new Request('http://localhost/api/email-settings/oauth/microsoft/callback', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(400);
  });

  it('denied consent comes back as a code and a sentence', async () => {
    const journey = await signIn(app, oauth, { accountId: 'r-denied', provider: 'google', consent: { email: 'x@example.com', deny: true } });
    expect(journey.callback.status).toBe(403);
    expect(codeOf(journey.html)).toBe('OAUTH_CONSENT_DENIED');
    expect(journey.html).toContain(`"targetOrigin":"${HOST_ORIGIN}"`);
    const { body } = await flowStatus(journey.token, journey.flowId);
    expect(body).toMatchObject({ status: 'failed', error: { code: 'OAUTH_CONSENT_DENIED' } });
    expect(body.error!.message).toMatch(/not granted/);
  });

  it('an unticked mail scope is refused, says which, stores nothing and revokes the partial grant', async () => {
    const revocations = oauth.revocations.length;
    const journey = await signIn(app, oauth, {
      accountId: 'r-scope',
      provider: 'google',
      consent: { email: 'r-scope@example.com', dropScopes: ['https://mail.google.com/'] },
    });
    expect(journey.callback.status).toBe(403);
    expect(codeOf(journey.html)).toBe('OAUTH_SCOPE_MISSING');
    expect(journey.html).toContain('https://mail.google.com/');
    expect(oauth.revocations.length).toBe(revocations + 1);
    const rows = await app.services.database.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', 'r-scope').execute();
    expect(rows).toHaveLength(0);
  });

  it('a wrong PKCE verifier makes the code exchange fail', async () => {
    const token = await app.session('r-pkce', { origin: HOST_ORIGIN });
    const started = (await (await app.request('/oauth/google', { method: 'POST', token, json: {} })).json()) as { authorizationUrl: string; flowId: string };
    const browser = await launchSignIn(app, started.authorizationUrl);
    const other = app.services.keyring.encrypt('a-completely-different-verifier-0123456789abc', { accountId: 'r-pkce', column: 'oauth_flows.code_verifier_enc' });
    await app.services.database.db.updateTable('oauth_flows').set({ code_verifier_enc: other }).where('id', '=', started.flowId).execute();
    const step = await oauth.authorize(browser.providerUrl);
    const response = await app.fetch(callbackRequest(step, browser.cookie));
    expect(response.status).toBe(400);
    expect(codeOf(await response.text())).toBe('OAUTH_CODE_EXCHANGE_FAILED');
    expect(oauth.tokenRequests.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 400 });
  });
});

describe('flow status and providers', () => {
  it("another account's flow is not found", async () => {
    const journey = await signIn(app, oauth, { accountId: 'f-owner', provider: 'google' });
    const stranger = await app.session('f-stranger');
    const response = await app.request(`/oauth/flows/${journey.flowId}`, { token: stranger });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('FLOW_NOT_FOUND');
    expect((await app.request(`/oauth/flows/${journey.flowId}`)).status).toBe(401);
  });

  it('with Accept: text/event-stream the flow status is pushed until the sign-in ends', async () => {
    const token = await app.session('f-sse', { origin: HOST_ORIGIN });
    oauth.setConsent({ email: 'f-sse@example.com' });
    const { authorizationUrl, flowId } = (await (await app.request('/oauth/google', { method: 'POST', token, json: {} })).json()) as {
      authorizationUrl: string;
      flowId: string;
    };
    const stream = await app.request(`/oauth/flows/${flowId}`, { token, headers: { Accept: 'text/event-stream' } });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    };
    await readUntil('"pending"');
    expect(text).toContain('event: status');
    const browser = await launchSignIn(app, authorizationUrl);
    const step = await oauth.authorize(browser.providerUrl);
    expect((await app.fetch(callbackRequest(step, browser.cookie))).status).toBe(200);
    await readUntil('"connected"');
    await readUntil('\u0000'); // to the end: the stream closes after the final status
    const events = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as { status: string });
    expect(events).toEqual([{ status: 'pending' }, { status: 'connected', email: 'f-sse@example.com' }]);
  });

  it('a start needs a session and a valid body', async () => {
    expect((await app.request('/oauth/google', { method: 'POST', json: {} })).status).toBe(401);
    const token = await app.session('f-body');
    const bad = await app.request('/oauth/google', { method: 'POST', token, json: { email: 'not an address' } });
    expect(bad.status).toBe(400);
    const unknown = await app.request('/oauth/google', { method: 'POST', token, json: { scope: 'x' } });
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_FIELD');
  });

  it('an unconfigured provider is reported as such, not as a failure of the server', async () => {
    const { MICROSOFT_CLIENT_ID: _omit, ...googleOnly } = oauth.env();
    const other = await createTestApp({ ...googleOnly, ...OAUTH_TEST_ENV });
    try {
      const token = await other.session('p-acct');
      const providers = await other.request('/oauth/providers', { token });
      expect(await providers.json()).toEqual({ google: { configured: true }, microsoft: { configured: false } });
      const start = await other.request('/oauth/microsoft', { method: 'POST', token, json: {} });
      expect(start.status).toBe(400);
      const { error } = (await start.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('OAUTH_NOT_CONFIGURED');
      expect(error.message).toMatch(/password/);
    } finally {
      await other.close();
    }
  });

  it('a rejected client secret is an operator problem: its own code, logged as an error', async () => {
    const other = await createTestApp({ ...oauth.env({ googleSecret: 'wrong-secret' }), ...OAUTH_TEST_ENV });
    try {
      const journey = await signIn(other, oauth, { accountId: 'op-acct', provider: 'google' });
      expect(journey.callback.status).toBe(424);
      expect(/<code>([A-Z_]+)<\/code>/.exec(journey.html)?.[1]).toBe('OAUTH_CLIENT_MISCONFIGURED');
      const line = other.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.errorCode === 'OAUTH_CLIENT_MISCONFIGURED');
      expect(line).toMatchObject({ level: 'error', operatorProblem: true });
      expect(other.logLines.join('\n')).not.toContain('wrong-secret');
    } finally {
      await other.close();
    }
  });
});

describe('disconnect', () => {
  it('DELETE /settings revokes the Google grant, then deletes the tokens', async () => {
    const journey = await signIn(app, oauth, { accountId: 'd-google', provider: 'google' });
    await saveOAuthSettings(app, journey.token, 'google', 'd-google@example.com');
    const row = await app.services.database.db.selectFrom('oauth_credentials').selectAll().where('account_id', '=', 'd-google').executeTakeFirstOrThrow();
    const refreshToken = app.services.oauth.credentials.refreshToken(row)!;
    expect(oauth.isRefreshTokenValid(refreshToken)).toBe(true);
    const deleted = await app.request('/settings', { method: 'DELETE', token: journey.token });
    expect(await deleted.json()).toEqual({ deleted: true });
    expect(oauth.isRefreshTokenValid(refreshToken)).toBe(false);
    expect(oauth.revocations.at(-1)).toEqual({ provider: 'google', kind: 'refresh' });
    const left = await app.services.database.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', 'd-google').execute();
    expect(left).toHaveLength(0);
    expect((await app.request('/accounts/d-google/credentials', { method: 'POST', token: TEST_API_KEY })).status).toBe(404);
  });
});

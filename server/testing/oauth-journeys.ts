import type { TestApp } from './app.js';
import { TEST_API_KEY } from './app.js';
import type { BrowserStep, Consent, OAuthTestServer } from './oauth-server.js';
import type { OAuthProviderId } from '../store/database.js';

/** The environment every OAuth test app uses besides the OAuth server's own variables. */
export const OAUTH_TEST_ENV = {
  EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
  EMAIL_WIZARD_PUBLIC_URL: 'http://localhost',
  EMAIL_WIZARD_ALLOWED_ORIGINS: 'https://host.example',
} as const;
export const HOST_ORIGIN = 'https://host.example';

export interface Journey {
  token: string;
  flowId: string;
  /** What the start answered: this server's launch page for the sign-in. */
  launchUrl: string;
  /** Where the launch sent the browser: the provider's authorisation URL. */
  authorizationUrl: string;
  /** The callback's answer. */
  callback: Response;
  html: string;
  /** Replays the exact same callback (from the same browser: with its cookie). */
  replay(): Promise<Response>;
  /** The same callback URL from another browser: without the first one's cookie. */
  fromAnotherBrowser(): Promise<Response>;
  /** The browser-binding cookie set when the sign-in was opened (`name=value`). */
  cookie: string;
}

/**
 * Opens a started sign-in as the widget's page does — a top-level form POST to the launch URL,
 * carrying the page's `Origin` — and returns where the browser goes next (the provider) and the
 * first-party cookie the launch set in this browser.
 */
export async function launchSignIn(app: TestApp, authorizationUrl: string, origin: string = HOST_ORIGIN): Promise<{ providerUrl: string; cookie: string; response: Response }> {
  const url = new URL(authorizationUrl);
  const response = await app.fetch(
    new Request(`${url.origin}${url.pathname}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
      body: url.searchParams.toString(),
    }),
  );
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { providerUrl: response.headers.get('location') ?? '', cookie, response };
}

/** The provider's redirect back to the callback, as a browser sends it (`cookie`: this browser's). */
export function callbackRequest(step: BrowserStep, cookie?: string, url: string = step.url): Request {
  const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
  return step.method === 'POST'
    ? new Request(url, { method: 'POST', body: step.form!.toString(), headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' } })
    : new Request(url, { headers });
}

/**
 * Runs one sign-in as a browser would: session → start → the provider's consent → callback.
 * `tamper` may change the callback request (another provider's URL, a missing state…).
 */
export async function signIn(
  app: TestApp,
  oauth: OAuthTestServer,
  input: { accountId: string; provider: OAuthProviderId; consent?: Consent; origin?: string; returnUrl?: string; tamper?: (url: URL) => void },
): Promise<Journey> {
  const token = await app.session(input.accountId, input.origin === undefined ? { origin: HOST_ORIGIN } : input.origin ? { origin: input.origin } : {});
  oauth.setConsent(input.consent ?? { email: `${input.accountId}@example.com` });
  const started = await app.request(`/oauth/${input.provider}`, {
    method: 'POST',
    token,
    json: { email: input.consent?.email ?? `${input.accountId}@example.com`, ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}) },
  });
  if (started.status !== 200) throw new Error(`start failed: ${started.status} ${await started.text()}`);
  const { authorizationUrl, flowId } = (await started.json()) as { authorizationUrl: string; flowId: string };
  const browser = await launchSignIn(app, authorizationUrl, input.origin || HOST_ORIGIN);
  if (browser.response.status !== 303) throw new Error(`launch failed: ${browser.response.status} ${await browser.response.text()}`);
  const step = await oauth.authorize(browser.providerUrl);
  const url = new URL(step.url);
  input.tamper?.(url);
  const send = (cookie?: string) => Promise.resolve(app.fetch(callbackRequest(step, cookie, url.toString())));
  const callback = await send(browser.cookie);
  return {
    token,
    flowId,
    launchUrl: authorizationUrl,
    authorizationUrl: browser.providerUrl,
    callback,
    html: await callback.clone().text(),
    replay: () => send(browser.cookie),
    fromAnotherBrowser: () => send(),
    cookie: browser.cookie,
  };
}

/** Saves OAuth settings for the account (after a connected sign-in). */
export async function saveOAuthSettings(app: TestApp, token: string, provider: OAuthProviderId, email: string): Promise<Response> {
  return app.request('/settings', {
    method: 'PUT',
    token,
    json: {
      email,
      // An OAuth token is only ever sent to the provider's own mail hosts.
      imap: { host: provider === 'google' ? 'imap.gmail.com' : 'outlook.office365.com', port: 993, security: 'tls', username: email },
      smtp: { host: provider === 'google' ? 'smtp.gmail.com' : 'smtp.office365.com', port: 587, security: 'starttls', username: email },
      auth: { method: 'oauth', provider },
    },
  });
}

/** `POST /accounts/:id/credentials` with the host API key. */
export function hostCredentials(app: TestApp, accountId: string): Promise<Response> {
  return app.request(`/accounts/${accountId}/credentials`, { method: 'POST', token: TEST_API_KEY });
}

/** Signs in and saves settings: a connected mailbox ready for token tests. Returns its credential id. */
export async function connectMailbox(app: TestApp, oauth: OAuthTestServer, accountId: string, provider: OAuthProviderId): Promise<string> {
  const journey = await signIn(app, oauth, { accountId, provider });
  if (journey.callback.status !== 200) throw new Error(`sign-in failed: ${journey.callback.status} ${journey.html}`);
  const saved = await saveOAuthSettings(app, journey.token, provider, `${accountId}@example.com`);
  if (saved.status !== 200) throw new Error(`settings failed: ${saved.status} ${await saved.text()}`);
  const row = await app.services.database.db
    .selectFrom('oauth_credentials')
    .select('id')
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return row.id;
}

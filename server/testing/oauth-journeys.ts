import type { TestApp } from './app.js';
import { TEST_API_KEY } from './app.js';
import type { Consent, OAuthTestServer } from './oauth-server.js';
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
  authorizationUrl: string;
  /** The callback's answer. */
  callback: Response;
  html: string;
  /** Replays the exact same callback. */
  replay(): Promise<Response>;
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
  const step = await oauth.authorize(authorizationUrl);
  const url = new URL(step.url);
  input.tamper?.(url);
  const send = () =>
    Promise.resolve(
      app.fetch(
        new Request(url, step.method === 'POST'
          ? { method: 'POST', body: step.form!.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }
          : {}),
      ),
    );
  const callback = await send();
  return { token, flowId, authorizationUrl, callback, html: await callback.clone().text(), replay: send };
}

/** Saves OAuth settings for the account (after a connected sign-in). */
export async function saveOAuthSettings(app: TestApp, token: string, provider: OAuthProviderId, email: string): Promise<Response> {
  return app.request('/settings', {
    method: 'PUT',
    token,
    json: {
      email,
      imap: { host: 'imap.example.com', port: 993, security: 'tls', username: email },
      smtp: { host: 'smtp.example.com', port: 587, security: 'starttls', username: email },
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

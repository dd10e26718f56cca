import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { OAuthProvider } from '../contract/codes.js';

/**
 * A small OAuth 2.0 / OpenID Connect server on 127.0.0.1 that behaves like Google's and
 * Microsoft's endpoints where it matters to us: PKCE (S256) is checked, codes are single use,
 * Google issues a refresh token only for `access_type=offline` and keeps it, Microsoft rotates
 * it on every refresh, the token response carries the granted `scope` and an ID token with the
 * mailbox address, `form_post` works, and faults (503, `invalid_grant`, `invalid_client`) can be
 * injected. Every request to a token endpoint is counted.
 *
 * @example
 * const oauth = await startOAuthTestServer();
 * const app = await createTestApp({ ...oauth.env(), EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true' });
 * const { authorizationUrl } = await (await app.request('/oauth/google', {...})).json();
 * const next = await oauth.authorize(authorizationUrl); // where the browser goes next
 */
export type TestProvider = OAuthProvider;

export interface TestClient {
  clientId: string;
  /** When set, the token endpoint insists on it (HTTP Basic or `client_secret`). */
  clientSecret?: string;
}

export interface OAuthTestServerOptions {
  google?: TestClient;
  microsoft?: TestClient & { tenant?: string };
  /** Lifetime of issued access tokens (default 3600 s). */
  accessTokenTtlSeconds?: number;
  /** Added before every token-endpoint answer, like a real provider's latency (default 0). */
  latencyMs?: number;
}

/** A provider's rate limit on its token endpoints: a token bucket per provider, `429` + `Retry-After` above it. */
export interface TokenRateLimit {
  perSecond: number;
  /** Requests allowed at once after a quiet spell (default `perSecond`). */
  burst?: number;
  /** The `Retry-After` seconds sent with each `429` (default 1). */
  retryAfterSeconds?: number;
}

/** What the signed-in "user" does on the consent screen for the next authorisation. */
export interface Consent {
  /** The account the user picks in the provider's account chooser: the grant (and ID token) is for it. */
  email: string;
  /** `access_denied` back to the app instead of a code. */
  deny?: boolean;
  /**
   * Any provider error back to the app instead of a code, with its `error_description` — e.g.
   * Microsoft's `{ error: 'access_denied', description: 'AADSTS50020: User account … from identity provider … does not exist in tenant …' }`.
   */
  error?: { error: string; description?: string };
  /** Scopes the user unticks: they are left out of the grant. */
  dropScopes?: string[];
}

export interface TokenRequestRecord {
  provider: TestProvider;
  grantType: string;
  /** The `scope` parameter sent with a refresh, if any. */
  scope?: string;
  status: number;
  /** When the request arrived (epoch ms). */
  at: number;
}

/** Where the browser goes after the authorisation endpoint: a redirect or a `form_post`. */
export interface BrowserStep {
  method: 'GET' | 'POST';
  url: string;
  /** The form fields of a `form_post` page (as `application/x-www-form-urlencoded`). */
  form?: URLSearchParams;
}

interface IssuedCode {
  provider: TestProvider;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  email: string;
  offline: boolean;
  expiresAt: number;
  used: boolean;
}

interface Grant {
  provider: TestProvider;
  clientId: string;
  email: string;
  scopes: string[];
  active: boolean;
}

export interface OAuthTestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Environment variables that point the wizard at this server (client ids, endpoints). */
  env(overrides?: { googleSecret?: string; microsoftSecret?: string }): Record<string, string>;
  /** Every token-endpoint request, in order (faults included). */
  tokenRequests: TokenRequestRecord[];
  /** Tokens the revocation endpoint received (as "refresh" or "access" kinds). */
  revocations: Array<{ provider: TestProvider; kind: 'refresh' | 'access' | 'unknown' }>;
  /** The query of the most recent authorisation request. */
  lastAuthorization?: URLSearchParams;
  /** The consent the next authorisation receives (default: everything granted to user@example.com). */
  setConsent(consent: Consent): void;
  /** Answers the next `count` token requests with this HTTP status (default 503), with `Retry-After` when given. */
  failTokenRequests(count: number, status?: number, retryAfterSeconds?: number): void;
  /** Forgets the faults not yet used: the provider is back. */
  clearTokenFaults(): void;
  /** Limits token requests per provider from now on (`undefined` lifts the limit). */
  rateLimit(limit: TokenRateLimit | undefined): void;
  /** Issues a grant as if a user had consented, without a browser: for seeding many accounts. */
  issueGrant(provider: TestProvider, email: string): { accessToken: string; refreshToken: string; expiresAt: number };
  /** Revokes every refresh token of this mailbox: the next refresh gets `invalid_grant`. */
  revokeGrants(email: string): void;
  /**
   * Revokes a grant as a password change or an admin removing the app does: its refresh tokens
   * get `invalid_grant` and its access tokens stop introspecting as valid, although they have not expired.
   */
  revokeGrantEverywhere(email: string): void;
  /** Whether a refresh token is currently valid here. */
  isRefreshTokenValid(refreshToken: string): boolean;
  /** The mailbox an access token belongs to, while it is valid (for introspection endpoints). */
  introspect(accessToken: string): { email: string; provider: TestProvider; scopes: string[] } | undefined;
  /** Follows an authorisation URL as a browser would, and returns where the provider sends it. */
  authorize(authorizationUrl: string): Promise<BrowserStep>;
  close(): Promise<void>;
}

export const TEST_GOOGLE_CLIENT: TestClient = { clientId: 'test-google-client.apps.example' };
export const TEST_MICROSOFT_CLIENT: TestClient & { tenant: string } = { clientId: '00000000-test-microsoft-client', tenant: 'common' };

const CODE_TTL_MS = 5 * 60_000;

/** Starts the server on an ephemeral loopback port. */
export async function startOAuthTestServer(options: OAuthTestServerOptions = {}): Promise<OAuthTestServer> {
  const clients: Record<TestProvider, TestClient & { tenant?: string }> = {
    google: options.google ?? TEST_GOOGLE_CLIENT,
    microsoft: options.microsoft ?? TEST_MICROSOFT_CLIENT,
  };
  const tenant = clients.microsoft.tenant ?? 'common';
  const ttlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const signingKey = randomBytes(32);
  const codes = new Map<string, IssuedCode>();
  const refreshTokens = new Map<string, Grant>();
  const accessTokens = new Map<string, Grant & { expiresAt: number }>();
  const faults: Array<{ status: number; retryAfterSeconds?: number }> = [];
  const buckets = new Map<TestProvider, { tokens: number; at: number }>();
  let limit: TokenRateLimit | undefined;
  const latencyMs = options.latencyMs ?? 0;
  /** Takes one token from the provider's bucket; false when it is empty. */
  const withinRate = (provider: TestProvider): boolean => {
    if (!limit) return true;
    const burst = limit.burst ?? limit.perSecond;
    const now = Date.now();
    const bucket = buckets.get(provider) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    buckets.set(provider, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
  let consent: Consent = { email: 'user@example.com' };

  const state: OAuthTestServer = {
    url: '',
    tokenRequests: [],
    revocations: [],
    env: (overrides = {}) => ({
      GOOGLE_CLIENT_ID: clients.google.clientId,
      ...(overrides.googleSecret ?? clients.google.clientSecret
        ? { GOOGLE_CLIENT_SECRET: (overrides.googleSecret ?? clients.google.clientSecret)! }
        : {}),
      GOOGLE_AUTHORIZATION_URL: `${state.url}/google/authorize`,
      GOOGLE_TOKEN_URL: `${state.url}/google/token`,
      GOOGLE_REVOCATION_URL: `${state.url}/google/revoke`,
      MICROSOFT_CLIENT_ID: clients.microsoft.clientId,
      ...(overrides.microsoftSecret ?? clients.microsoft.clientSecret
        ? { MICROSOFT_CLIENT_SECRET: (overrides.microsoftSecret ?? clients.microsoft.clientSecret)! }
        : {}),
      MICROSOFT_TENANT: tenant,
      MICROSOFT_AUTHORITY: `${state.url}/microsoft`,
    }),
    setConsent: (next) => {
      consent = next;
    },
    failTokenRequests: (count, status = 503, retryAfterSeconds) => {
      for (let i = 0; i < count; i++) faults.push({ status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
    },
    clearTokenFaults: () => {
      faults.length = 0;
    },
    rateLimit: (next) => {
      limit = next;
      buckets.clear();
    },
    issueGrant: (provider, email) => {
      const scopes = provider === 'google' ? ['openid', 'email', 'https://mail.google.com/'] : ['openid', 'email', 'offline_access'];
      const body = issueTokens({ provider, clientId: clients[provider].clientId, email, scopes, active: true }, true, false);
      return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string, expiresAt: Date.now() + ttlSeconds * 1000 };
    },
    revokeGrants: (email) => {
      for (const grant of refreshTokens.values()) if (grant.email === email) grant.active = false;
    },
    revokeGrantEverywhere: (email) => {
      state.revokeGrants(email);
      for (const [token, grant] of accessTokens) if (grant.email === email) accessTokens.delete(token);
    },
    isRefreshTokenValid: (token) => refreshTokens.get(token)?.active === true,
    introspect: (token) => {
      const grant = accessTokens.get(token);
      if (!grant || grant.expiresAt <= Date.now()) return undefined;
      return { email: grant.email, provider: grant.provider, scopes: grant.scopes };
    },
    authorize: async (authorizationUrl) => {
      const response = await fetch(authorizationUrl, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      if (response.status === 302) return { method: 'GET', url: response.headers.get('location')! };
      const html = await response.text();
      if (response.status !== 200) throw new Error(`authorization refused: ${response.status} ${html}`);
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error('authorization page has no form');
      const form = new URLSearchParams();
      for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
        form.set(name!, decodeHtml(value!));
      }
      return { method: 'POST', url: decodeHtml(action), form };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const routes: Array<[RegExp, (req: IncomingMessage, res: ServerResponse, url: URL, provider: TestProvider) => Promise<void> | void]> = [
    [/^\/google\/authorize$/, authorizeHandler],
    [/^\/google\/token$/, tokenHandler],
    [/^\/google\/revoke$/, revokeHandler],
    [new RegExp(`^/microsoft/${tenant}/oauth2/v2\\.0/authorize$`), authorizeHandler],
    [new RegExp(`^/microsoft/${tenant}/oauth2/v2\\.0/token$`), tokenHandler],
  ];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.url);
    const route = routes.find(([pattern]) => pattern.test(url.pathname));
    if (!route) return sendJson(res, 404, { error: 'not_found' });
    const provider: TestProvider = url.pathname.startsWith('/google/') ? 'google' : 'microsoft';
    Promise.resolve(route[1](req, res, url, provider)).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(error) });
    });
  });

  function authorizeHandler(_req: IncomingMessage, res: ServerResponse, url: URL, provider: TestProvider): void {
    const q = url.searchParams;
    state.lastAuthorization = q;
    const client = clients[provider];
    if (q.get('client_id') !== client.clientId) return sendHtml(res, 400, 'Error 401: invalid_client. The OAuth client was not found.');
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri || q.get('response_type') !== 'code') return sendHtml(res, 400, 'Error 400: invalid_request.');
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
      return sendHtml(res, 400, 'Error 400: invalid_request. PKCE (S256) is required.');
    }
    const requested = (q.get('scope') ?? '').split(' ').filter(Boolean);
    const params = new URLSearchParams();
    if (consent.error) {
      params.set('error', consent.error.error);
      if (consent.error.description !== undefined) params.set('error_description', consent.error.description);
    } else if (consent.deny) {
      params.set('error', 'access_denied');
      params.set('error_description', 'The user denied the request.');
    } else {
      const code = randomToken('code');
      const offline = provider === 'google' ? q.get('access_type') === 'offline' : requested.includes('offline_access');
      codes.set(code, {
        provider,
        clientId: client.clientId,
        redirectUri,
        challenge: q.get('code_challenge')!,
        scopes: requested.filter((scope) => !consent.dropScopes?.includes(scope)),
        email: consent.email,
        offline,
        expiresAt: Date.now() + CODE_TTL_MS,
        used: false,
      });
      params.set('code', code);
    }
    if (q.get('state') !== null) params.set('state', q.get('state')!);
    if (q.get('response_mode') === 'form_post') {
      const inputs = [...params].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
      return sendHtml(res, 200, `<form method="post" action="${escapeHtml(redirectUri)}">${inputs}</form>`);
    }
    const target = new URL(redirectUri);
    for (const [k, v] of params) target.searchParams.set(k, v);
    res.writeHead(302, { Location: target.toString() }).end();
  }

  async function tokenHandler(req: IncomingMessage, res: ServerResponse, _url: URL, provider: TestProvider): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const record: TokenRequestRecord = { provider, grantType: form.get('grant_type') ?? '', status: 0, at: Date.now() };
    if (form.has('scope')) record.scope = form.get('scope')!;
    state.tokenRequests.push(record);
    const reply = (status: number, body: unknown) => {
      record.status = status;
      sendJson(res, status, body);
    };
    // Counted on arrival, answered after the latency.
    const fault = faults.shift() ?? (withinRate(provider) ? undefined : { status: 429, retryAfterSeconds: limit?.retryAfterSeconds ?? 1 });
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (fault !== undefined) {
      record.status = fault.status;
      if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return sendHtml(res, fault.status, fault.status === 429 ? 'Too many requests.' : 'Service temporarily unavailable.');
    }
    const client = clients[provider];
    const auth = clientAuthentication(req, form);
    if (auth.clientId !== client.clientId) return reply(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    if (client.clientSecret !== undefined && auth.secret !== client.clientSecret) {
      return reply(401, { error: 'invalid_client', error_description: 'Unauthorized' });
    }
    if (provider === 'microsoft' && client.clientSecret === undefined && !req.headers.origin) {
      return reply(400, {
        error: 'invalid_request',
        error_description: "AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
      });
    }
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (!code || code.used || code.expiresAt < Date.now() || code.provider !== provider || code.clientId !== auth.clientId) {
        return reply(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      }
      code.used = true;
      if (form.get('redirect_uri') !== code.redirectUri) return reply(400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' });
      const verifier = form.get('code_verifier');
      if (!verifier) return reply(400, { error: 'invalid_grant', error_description: 'Missing code verifier.' });
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
        return reply(400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
      }
      const grant: Grant = { provider, clientId: code.clientId, email: code.email, scopes: code.scopes, active: true };
      return reply(200, issueTokens(grant, code.offline, true));
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const grant = refreshTokens.get(presented);
      if (!grant || !grant.active || grant.provider !== provider) {
        return reply(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      if (provider === 'microsoft') {
        // Microsoft rotates: the presented refresh token is spent.
        grant.active = false;
        return reply(200, issueTokens({ ...grant, active: true }, true, false));
      }
      return reply(200, issueTokens(grant, false, false));
    }
    return reply(400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grantType}` });
  }

  async function revokeHandler(req: IncomingMessage, res: ServerResponse, _url: URL, provider: TestProvider): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const token = form.get('token') ?? '';
    const refresh = refreshTokens.get(token);
    const access = accessTokens.get(token);
    if (refresh) refresh.active = false;
    if (access) accessTokens.delete(token);
    state.revocations.push({ provider, kind: refresh ? 'refresh' : access ? 'access' : 'unknown' });
    if (!refresh && !access) return sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
    sendJson(res, 200, {});
  }

  function issueTokens(grant: Grant, withRefreshToken: boolean, withIdToken: boolean): Record<string, unknown> {
    const accessToken = randomToken('at');
    accessTokens.set(accessToken, { ...grant, expiresAt: Date.now() + ttlSeconds * 1000 });
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ttlSeconds,
      scope: grant.scopes.join(' '),
    };
    if (withRefreshToken) {
      const refreshToken = randomToken('rt');
      refreshTokens.set(refreshToken, grant);
      body.refresh_token = refreshToken;
    }
    if (withIdToken && grant.scopes.includes('openid')) body.id_token = idToken(grant);
    return body;
  }

  function idToken(grant: Grant): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: grant.provider === 'google' ? 'https://accounts.google.com' : `${state.url}/microsoft/${tenant}/v2.0`,
      aud: grant.clientId,
      sub: createHash('sha256').update(grant.email).digest('hex').slice(0, 21),
      iat: now,
      exp: now + 3600,
    };
    if (grant.scopes.includes('email')) {
      claims.email = grant.email;
      if (grant.provider === 'google') claims.email_verified = true;
    }
    if (grant.provider === 'microsoft') claims.preferred_username = grant.email;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${unsigned}.${createHmac('sha256', signingKey).update(unsigned).digest('base64url')}`;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function clientAuthentication(req: IncomingMessage, form: URLSearchParams): { clientId?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  return { clientId: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

function randomToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><body>${html}</body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function decodeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
}

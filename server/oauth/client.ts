import { CodeChallengeMethod, OAuth2Client, OAuth2RequestError, OAuth2Tokens, decodeIdToken } from 'arctic';
import type { ProviderSettings } from './providers.js';
import { TransportError, type HttpTransport } from './transport.js';
import { parseRetryAfter } from './pacing/backoff.js';
import { looksLikeEmail } from '../contract/email-shape.js';

/**
 * The one adapter around arctic (deprecated upstream in July 2026: nothing else imports it).
 * arctic's `OAuth2Client` builds the authorisation URL (PKCE S256) and its `OAuth2Tokens` /
 * `OAuth2RequestError` model the answers; the token, refresh and revocation requests themselves
 * go through our `HttpTransport`, because arctic's own calls use the global `fetch` with no
 * timeout and no way to route them through the SSRF-safe network layer.
 */

/** How a failed provider call should be treated. */
export type OAuthFailureKind =
  /** The grant is gone (revoked, expired, password changed, code reused, wrong PKCE verifier): the user must sign in again. */
  | 'invalid_grant'
  /** The provider rejects our OAuth app (client id, secret, redirect URI, scopes): an operator mistake. */
  | 'client'
  /** Network trouble, timeout, 5xx, 429: worth retrying, says nothing about the grant. */
  | 'transient'
  /** Anything else the provider answered that we do not understand. */
  | 'provider';

const CONFIGURATION_TRANSPORT_CODES = new Set(['BLOCKED_ADDRESS', 'PORT_NOT_ALLOWED']);
const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client', 'redirect_uri_mismatch', 'invalid_scope', 'unsupported_grant_type', 'invalid_request']);

/** A provider call failed. `message` is safe to log: it never holds a token, code or secret. */
export class OAuthCallError extends Error {
  override name = 'OAuthCallError';
  constructor(
    readonly kind: OAuthFailureKind,
    message: string,
    /** `retryAfterMs`: the provider's `Retry-After` on a 429 or 503, when it sent one. */
    readonly detail: { oauthError?: string; status?: number; transportCode?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** What a successful code exchange or refresh gives us. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The granted scopes when the provider reported them. */
  scopes?: string[];
  idToken?: string;
}

export interface ProviderClientOptions {
  /** Per call, covering connect, answer and body (default 10 s). */
  timeoutMs?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Used when a provider leaves out `expires_in` (both of ours always send it). */
const FALLBACK_LIFETIME_S = 3600;

/**
 * Talks to one provider's authorisation, token and revocation endpoints.
 *
 * @example
 * const client = new OAuthProviderClient(providers.google!, fetchTransport());
 * const url = client.authorizationUrl({ state, codeVerifier, loginHint: 'support@acme.test' });
 * const tokens = await client.exchangeCode(code, codeVerifier);
 */
export class OAuthProviderClient {
  private readonly arctic: OAuth2Client;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    readonly provider: ProviderSettings,
    private readonly transport: HttpTransport,
    options: ProviderClientOptions = {},
  ) {
    this.arctic = new OAuth2Client(provider.clientId, provider.clientSecret ?? null, provider.redirectUri);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  /** The URL the user's browser opens to sign in and consent. */
  authorizationUrl(input: { state: string; codeVerifier: string; loginHint?: string }): string {
    const url = this.arctic.createAuthorizationURLWithPKCE(
      this.provider.authorizationUrl,
      input.state,
      CodeChallengeMethod.S256,
      input.codeVerifier,
      this.provider.scopes,
    );
    for (const [key, value] of Object.entries(this.provider.authorizationParams)) url.searchParams.set(key, value);
    if (input.loginHint) url.searchParams.set('login_hint', input.loginHint);
    return url.toString();
  }

  /** Redeems an authorisation code (with its PKCE verifier) for tokens. */
  exchangeCode(code: string, codeVerifier: string): Promise<TokenSet> {
    return this.tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.provider.redirectUri,
      code_verifier: codeVerifier,
    });
  }

  /** Trades a refresh token for a new access token (and, with rotation, a new refresh token). */
  refresh(refreshToken: string): Promise<TokenSet> {
    const params: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken };
    if (this.provider.refreshScopes.length > 0) params.scope = this.provider.refreshScopes.join(' ');
    return this.tokenRequest(params);
  }

  /** Whether this provider has a revocation endpoint at all (Microsoft has none). */
  get canRevoke(): boolean {
    return this.provider.revocationUrl !== undefined;
  }

  /** Revokes a token (RFC 7009); a token the provider no longer knows counts as revoked. */
  async revoke(token: string): Promise<void> {
    if (!this.provider.revocationUrl) return;
    const response = await this.send(this.provider.revocationUrl, { token });
    if (response.status === 200) return;
    const error = parseError(response.body);
    if (error?.code === 'invalid_token') return;
    throw this.failure(response.status, error);
  }

  /** Reads the mailbox address from an ID token received straight from the token endpoint (OIDC Core 3.1.3.7: TLS to the issuer stands in for the signature check). */
  mailboxFromIdToken(idToken: string): string | undefined {
    let claims: Record<string, unknown>;
    try {
      claims = decodeIdToken(idToken) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audience.includes(this.provider.clientId)) return undefined;
    if (claims.email_verified === false) return undefined;
    const candidates = [claims.email, this.provider.id === 'microsoft' ? claims.preferred_username : undefined];
    const email = candidates.find((value): value is string => typeof value === 'string' && looksLikeEmail(value));
    return email?.toLowerCase();
  }

  private async tokenRequest(params: Record<string, string>): Promise<TokenSet> {
    const response = await this.send(this.provider.tokenUrl, params);
    if (response.status !== 200) throw this.failure(response.status, parseError(response.body), retryAfterOf(response.headers));
    let tokens: OAuth2Tokens;
    try {
      const data: unknown = JSON.parse(response.body);
      if (typeof data !== 'object' || data === null) throw new Error('not an object');
      tokens = new OAuth2Tokens(data as object);
      tokens.accessToken();
    } catch {
      throw new OAuthCallError('provider', `${this.provider.name}'s token endpoint answered without a usable access token.`, { status: 200 });
    }
    const data = tokens.data as Record<string, unknown>;
    const lifetime = Number(data.expires_in);
    return {
      accessToken: tokens.accessToken(),
      refreshToken: tokens.hasRefreshToken() ? tokens.refreshToken() : undefined,
      expiresAt: this.now() + (Number.isFinite(lifetime) && lifetime > 0 ? lifetime : FALLBACK_LIFETIME_S) * 1000,
      scopes: tokens.hasScopes() ? tokens.scopes().filter(Boolean) : undefined,
      idToken: typeof data.id_token === 'string' ? data.id_token : undefined,
    };
  }

  /** Sends a form to a provider endpoint, authenticating our client the way arctic does. */
  private async send(url: string, params: Record<string, string>) {
    const body = new URLSearchParams(params);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
      'User-Agent': 'email-config-wizard',
    };
    if (this.provider.clientSecret) {
      const pair = `${encodeURIComponent(this.provider.clientId)}:${encodeURIComponent(this.provider.clientSecret)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      body.set('client_id', this.provider.clientId);
    }
    if (this.provider.tokenRequestOrigin) headers.Origin = this.provider.tokenRequestOrigin;
    try {
      return await this.transport.request(url, { method: 'POST', headers, body: body.toString(), timeoutMs: this.timeoutMs });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'NETWORK_ERROR';
      const reason = error instanceof TransportError || (error as Error).name === 'NetError' ? (error as Error).message : 'the request failed';
      // A configured endpoint on a refused address or port will not start working by retrying.
      const kind = CONFIGURATION_TRANSPORT_CODES.has(code) ? 'client' : 'transient';
      throw new OAuthCallError(kind, `Could not reach ${this.provider.name}: ${reason}`, { transportCode: code });
    }
  }

  private failure(status: number, error: OAuth2RequestError | undefined, retryAfterMs?: number): OAuthCallError {
    const name = this.provider.name;
    if (error?.code === 'invalid_grant') {
      return new OAuthCallError('invalid_grant', `${name} no longer accepts this sign-in (invalid_grant).`, { oauthError: error.code, status });
    }
    if (error && CLIENT_ERRORS.has(error.code)) {
      return new OAuthCallError(
        'client',
        `${name} rejected this server's OAuth app (${error.code}${error.description ? `: ${error.description.slice(0, 200)}` : ''}).`,
        { oauthError: error.code, status },
      );
    }
    if (status >= 500 || status === 429 || status === 408) {
      return new OAuthCallError('transient', `${name} is temporarily unavailable (HTTP ${status}).`, {
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    return new OAuthCallError('provider', `${name} answered unexpectedly (HTTP ${status}${error ? `, ${error.code}` : ''}).`, {
      status,
      ...(error ? { oauthError: error.code } : {}),
    });
  }
}

function retryAfterOf(headers: Record<string, string> | undefined): number | undefined {
  const name = Object.keys(headers ?? {}).find((key) => key.toLowerCase() === 'retry-after');
  return name === undefined ? undefined : parseRetryAfter(headers![name]);
}

function parseError(body: string): OAuth2RequestError | undefined {
  try {
    const data = JSON.parse(body) as Record<string, unknown>;
    if (typeof data.error !== 'string') return undefined;
    const description = typeof data.error_description === 'string' ? data.error_description : null;
    return new OAuth2RequestError(data.error, description, null, null);
  } catch {
    return undefined;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionClaims } from '../auth/session-tokens.js';
import type { Logger } from '../log/index.js';
import type { AuditLog } from '../store/audit.js';
import type { OAuthFlowRow, OAuthProviderId } from '../store/database.js';
import { AppError } from '../contract/errors.js';
import { OAuthCallError, type OAuthProviderClient, type TokenSet } from './client.js';
import type { CredentialStore } from './credentials.js';
import { FLOW_TTL_MS, FlowError, type FlowStatus, type FlowStore } from './flows.js';
import { explainProviderRefusal, OPERATOR_CODES, oauthError, oauthMessage, type OAuthErrorCode } from './errors.js';
import { missingScopes, PROVIDER_IDS } from './providers.js';

/** The parameters a provider sends to our callback (query for GET, form for `form_post`). */
export interface CallbackParams {
  state?: string;
  code?: string;
  error?: string;
  /** The provider's reason (Microsoft's `AADSTS…: …` text); read to name the failure, shown only when unknown. */
  errorDescription?: string;
}

/** How a callback ended: what the page shows and whom it tells. */
export type CallbackOutcome =
  | { ok: true; flow: OAuthFlowRow; email: string }
  | { ok: false; code: OAuthErrorCode; message: string; steps?: string[]; flow?: OAuthFlowRow };

export interface OAuthServiceOptions {
  clients: Partial<Record<OAuthProviderId, OAuthProviderClient>>;
  flows: FlowStore;
  credentials: CredentialStore;
  logger: Logger;
  audit: AuditLog;
  /** Which browser origins may receive the result (postMessage, redirect back). */
  isAllowedOrigin: (origin: string) => boolean;
  /** Where the browser opens a sign-in (`POST …/oauth/<provider>/launch`), on this server's own origin. */
  launchUrlFor: (provider: OAuthProviderId) => string;
}

/** What a launch answers: the provider's authorisation URL and the secret for this browser's cookie. */
export type LaunchOutcome =
  | { ok: true; flow: OAuthFlowRow; location: string; browserSecret: string }
  | { ok: false; code: OAuthErrorCode; message: string; flow?: OAuthFlowRow };

/**
 * Runs OAuth sign-ins: starts a flow for a widget session and completes it when the provider
 * calls back — state check, code exchange with PKCE, granted scopes, the mailbox from the ID
 * token — then stores the tokens encrypted.
 */
export class OAuthService {
  constructor(private readonly options: OAuthServiceOptions) {}

  /** Which providers this server can offer (no client id → not configured; not an error). */
  providers(): Record<OAuthProviderId, { configured: boolean }> {
    return Object.fromEntries(PROVIDER_IDS.map((id) => [id, { configured: this.options.clients[id] !== undefined }])) as Record<
      OAuthProviderId,
      { configured: boolean }
    >;
  }

  /**
   * Starts a sign-in for the session's account. `returnUrl` selects redirect mode (the callback
   * sends the browser back there); without it the callback page talks to the popup's opener.
   */
  async start(
    provider: OAuthProviderId,
    session: SessionClaims,
    input: { email?: string; returnUrl?: string },
  ): Promise<{ authorizationUrl: string; flowId: string }> {
    const client = this.options.clients[provider];
    if (!client) throw oauthError('OAUTH_NOT_CONFIGURED', provider);
    if (input.returnUrl !== undefined) this.checkReturnUrl(input.returnUrl, session);
    const flow = await this.options.flows.create({
      provider,
      accountId: session.accountId,
      sessionId: session.sessionId,
      origin: session.origin,
      returnUrl: input.returnUrl,
      loginHint: input.email,
    });
    // The browser first opens this server's own launch page (a top-level POST from the widget's
    // page), which binds the flow to that browser with a first-party cookie and only then sends it
    // on to the provider: a link forwarded to someone else cannot complete this flow.
    const launch = new URL(this.options.launchUrlFor(provider));
    launch.searchParams.set('state', flow.state);
    return { authorizationUrl: launch.toString(), flowId: flow.flowId };
  }

  /**
   * Opens a sign-in in the browser that asks (RFC 9700 §4.7.1): the request must come from a page
   * on the session's origin (or an allowed origin when the session has none) — the browser's own
   * `Origin` header, which a forwarded link or another site cannot forge — and a flow is opened
   * once. Answers where to send the browser next and the secret for its cookie.
   */
  async launch(provider: OAuthProviderId, state: string | undefined, origin: string | undefined, log: Logger): Promise<LaunchOutcome> {
    const client = this.options.clients[provider];
    if (!client) return this.failure('OAUTH_NOT_CONFIGURED', provider);
    let bound;
    try {
      const flow = await this.options.flows.peek(state);
      const fromItsPage = origin !== undefined && origin !== 'null' && (flow.origin ? origin === flow.origin : this.options.isAllowedOrigin(origin));
      if (!fromItsPage || flow.provider !== provider) {
        log.warn('oauth launch refused', { provider, flowId: flow.id, reason: fromItsPage ? 'provider' : 'origin', origin });
        if (fromItsPage) return this.failure('OAUTH_WRONG_PROVIDER', provider, flow);
        return { ...this.failure('OAUTH_BROWSER_MISMATCH', provider, flow), message: launchOriginMessage(origin) };
      }
      bound = await this.options.flows.bindBrowser(state);
    } catch (error) {
      if (!(error instanceof FlowError)) throw error;
      log.warn('oauth launch refused', { provider, errorCode: error.code, flowId: error.flow?.id });
      return this.failure(error.code, provider, error.flow);
    }
    const location = client.authorizationUrl({ state: state!, codeVerifier: bound.codeVerifier, loginHint: bound.flow.login_hint ?? undefined });
    return { ok: true, flow: bound.flow, location, browserSecret: bound.browserSecret };
  }

  flowStatus(flowId: string, accountId: string): Promise<FlowStatus | undefined> {
    return this.options.flows.status(flowId, accountId);
  }

  /**
   * Follows a flow until it ends: yields its status now and at every change, and returns after
   * `connected` or `failed` (an unfinished flow fails by expiring within ten minutes) or when
   * `signal` aborts. For the server-sent-events form of `GET /oauth/flows/:flowId`.
   */
  async *watchFlow(flowId: string, accountId: string, options: { signal?: AbortSignal; pollMs?: number } = {}): AsyncGenerator<FlowStatus> {
    const pollMs = options.pollMs ?? 500;
    const giveUpAt = Date.now() + FLOW_TTL_MS + 60_000;
    let last = '';
    while (!options.signal?.aborted) {
      const status = await this.options.flows.status(flowId, accountId);
      if (!status) return;
      const text = JSON.stringify(status);
      if (text !== last) {
        last = text;
        yield status;
      }
      if (status.status !== 'pending' || Date.now() > giveUpAt) return;
      await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }

  /** Completes a callback. Never throws for a provider's or user's failure: the outcome says what went wrong. */
  async complete(provider: OAuthProviderId, params: CallbackParams, log: Logger, browserSecret?: string): Promise<CallbackOutcome> {
    let claimed;
    try {
      claimed = await this.options.flows.claim(params.state, provider, browserSecret);
    } catch (error) {
      if (!(error instanceof FlowError)) throw error;
      log.warn('oauth callback refused', { provider, errorCode: error.code, flowId: error.flow?.id });
      return this.failure(error.code, provider, error.flow);
    }
    const { flow, codeVerifier } = claimed;
    const fail = async (code: OAuthErrorCode, extra?: string, explained?: { message: string; steps: string[]; reason: string }) => {
      const outcome: CallbackOutcome & { ok: false } = explained
        ? { ...this.failure(code, provider, flow), message: explained.message, steps: explained.steps }
        : this.failure(code, provider, flow, extra);
      await this.options.flows.fail(flow.id, code, outcome.message, outcome.steps);
      const level = OPERATOR_CODES.has(code) ? 'error' : 'warn';
      log[level]('oauth sign-in failed', {
        provider,
        errorCode: code,
        flowId: flow.id,
        operatorProblem: OPERATOR_CODES.has(code),
        ...(explained ? { providerReason: explained.reason } : {}),
      });
      await this.audit(flow, 'error', { provider, errorCode: code });
      return outcome;
    };

    if (params.error) {
      const providerError = /^[a-z0-9_.-]{1,64}$/i.test(params.error) ? params.error : 'unknown_error';
      // Microsoft says why in error_description (AADSTS codes); Google in error itself.
      const refusal = explainProviderRefusal(provider, providerError, params.errorDescription);
      return fail(refusal.code, undefined, refusal);
    }
    if (!params.code) return fail('OAUTH_PROVIDER_ERROR', 'no authorization code');
    const client = this.options.clients[provider];
    if (!client) return fail('OAUTH_NOT_CONFIGURED');

    let tokens: TokenSet;
    try {
      tokens = await client.exchangeCode(params.code, codeVerifier);
    } catch (error) {
      if (!(error instanceof OAuthCallError)) throw error;
      log.warn('oauth code exchange failed', { provider, kind: error.kind, reason: error.message });
      if (error.kind === 'client') return fail('OAUTH_CLIENT_MISCONFIGURED');
      if (error.kind === 'transient') return fail('OAUTH_PROVIDER_UNAVAILABLE');
      return fail('OAUTH_CODE_EXCHANGE_FAILED');
    }

    const missing = tokens.scopes ? missingScopes(client.provider, tokens.scopes) : [];
    if (missing.length > 0) {
      await this.discard(client, tokens, log);
      return fail('OAUTH_SCOPE_MISSING', missing.join(', '));
    }
    const email = tokens.idToken ? client.mailboxFromIdToken(tokens.idToken) : undefined;
    if (!email) {
      await this.discard(client, tokens, log);
      return fail('OAUTH_EMAIL_MISSING');
    }
    if (!tokens.refreshToken && !(await this.options.credentials.hasRefreshToken(flow.account_id, provider, email))) {
      return fail('OAUTH_NO_REFRESH_TOKEN');
    }
    const credentialId = await this.options.credentials.upsert({ accountId: flow.account_id, provider, email, tokens });
    await this.options.flows.succeed(flow.id, { email, credentialId });
    log.info('oauth mailbox connected', { provider, flowId: flow.id, credentialId });
    await this.audit(flow, 'ok', { provider, email });
    return { ok: true, flow, email };
  }

  private failure(code: OAuthErrorCode, provider: OAuthProviderId, flow?: OAuthFlowRow, extra?: string) {
    return { ok: false as const, code, message: oauthMessage(code, provider, extra), flow };
  }

  /** A grant we will not keep (a scope unticked, no address) is revoked where the provider allows it. */
  private async discard(client: OAuthProviderClient, tokens: TokenSet, log: Logger): Promise<void> {
    if (!client.canRevoke) return;
    try {
      await client.revoke(tokens.refreshToken ?? tokens.accessToken);
    } catch (error) {
      log.warn('could not revoke a refused grant', { reason: (error as Error).message });
    }
  }

  private audit(flow: OAuthFlowRow, result: 'ok' | 'error', detail: Record<string, unknown>) {
    return this.options.audit.record({ actor: 'session', accountId: flow.account_id, action: 'oauth.connect', result, detail });
  }

  private checkReturnUrl(returnUrl: string, session: SessionClaims): void {
    let url: URL;
    try {
      url = new URL(returnUrl);
    } catch {
      throw new AppError('VALIDATION_ERROR', 'returnUrl must be a full URL such as https://app.example.com/settings.', { field: 'returnUrl' });
    }
    const allowed =
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      this.options.isAllowedOrigin(url.origin) &&
      (!session.origin || session.origin === url.origin);
    if (!allowed) {
      throw new AppError('RETURN_URL_NOT_ALLOWED', 'returnUrl must be on the website this session was issued for.', { field: 'returnUrl' });
    }
  }
}

/**
 * Why a launch was not accepted as coming from the page that started the sign-in, said as it is:
 * a page that sends no origin (a `no-referrer` policy makes Chromium send `Origin: null` with a
 * form) is told apart from a page of another site.
 */
function launchOriginMessage(origin: string | undefined): string {
  if (origin === undefined || origin === 'null') {
    return (
      'The page that opened this sign-in did not say which site it is (the browser sent no Origin, as it does under ' +
      '"Referrer-Policy: no-referrer"), so the sign-in cannot be tied to this browser. The site\'s operator can serve the ' +
      'page with "Referrer-Policy: strict-origin-when-cross-origin"; until then the mailbox cannot be connected with sign-in here.'
    );
  }
  return `This sign-in was opened from ${origin}, which is not the page that started it. Start the connection again from the settings page.`;
}

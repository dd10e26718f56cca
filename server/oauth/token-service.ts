import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessTokenSource } from '../settings/service.js';
import type { OAuthCredentialRow, OAuthProviderId } from '../store/database.js';
import type { Logger } from '../log/index.js';
import type { AuditLog } from '../store/audit.js';
import { OAuthCallError, type OAuthProviderClient, type TokenSet } from './client.js';
import type { CredentialStore } from './credentials.js';
import { oauthError } from './errors.js';

/** A usable access token and the mailbox it opens. */
export interface AccessToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  email: string;
}

export interface TokenServiceOptions {
  store: CredentialStore;
  clients: Partial<Record<OAuthProviderId, OAuthProviderClient>>;
  logger: Logger;
  audit?: AuditLog;
  /** Refresh when less than this remains (default 5 minutes). */
  refreshMarginMs?: number;
  /** How long one process may hold a credential's refresh lease (default 60 s). */
  leaseMs?: number;
  /** Attempts per refresh for transient failures, and the first back-off (× 4 each time). */
  retry?: { attempts: number; baseDelayMs: number };
  now?: () => number;
}

const DEFAULTS = {
  refreshMarginMs: 5 * 60_000,
  leaseMs: 60_000,
  retry: { attempts: 3, baseDelayMs: 250 },
};
const POLL_START_MS = 20;
const POLL_MAX_MS = 250;

/**
 * Hands out access tokens for stored OAuth connections, refreshing them when less than five
 * minutes remain. Many callers of one credential share one refresh: in this process through a
 * promise per credential, across processes through a lease in the database row. `invalid_grant`
 * marks the credential as needing reauthorisation; network trouble and 5xx answers are retried
 * with back-off and never mark it.
 *
 * @example
 * const { accessToken, email } = await tokens.getAccessToken(credentialId);
 */
export class TokenService implements AccessTokenSource {
  private readonly inflight = new Map<string, Promise<AccessToken>>();
  private readonly instanceId = randomUUID().slice(0, 8);
  private readonly options: Required<Omit<TokenServiceOptions, 'audit'>> & Pick<TokenServiceOptions, 'audit'>;

  constructor(options: TokenServiceOptions) {
    this.options = { ...DEFAULTS, now: Date.now, ...options };
  }

  /** A token with at least five minutes left, refreshed first if needed. */
  async getAccessToken(credentialId: string): Promise<AccessToken> {
    const row = await this.load(credentialId);
    if (this.isFresh(row)) return this.view(row);
    return this.refresh(credentialId);
  }

  /**
   * Refreshes now, sharing the flight with concurrent callers. `force` refreshes a token that
   * is still fresh (the keep-alive for long-unused Microsoft refresh tokens).
   */
  refresh(credentialId: string, options: { force?: boolean } = {}): Promise<AccessToken> {
    const running = this.inflight.get(credentialId);
    if (running) return running;
    const flight = this.refreshAcrossProcesses(credentialId, options.force === true).finally(() => this.inflight.delete(credentialId));
    this.inflight.set(credentialId, flight);
    return flight;
  }

  /** Revokes the grant at the provider where it can (Google); never throws. */
  async revoke(credentialId: string): Promise<void> {
    try {
      const row = await this.options.store.get(credentialId);
      const client = row && this.options.clients[row.provider];
      if (!row || !client?.canRevoke) return;
      const token = this.options.store.refreshToken(row) ?? this.options.store.accessToken(row);
      if (token) await client.revoke(token);
      this.options.logger.info('oauth grant revoked', { credentialId, provider: row.provider });
    } catch (error) {
      this.options.logger.warn('oauth revoke failed; deleting the tokens anyway', {
        credentialId,
        reason: error instanceof OAuthCallError ? error.message : (error as Error).name,
      });
    }
  }

  private async refreshAcrossProcesses(credentialId: string, force: boolean): Promise<AccessToken> {
    const { store, leaseMs } = this.options;
    const deadline = this.options.now() + leaseMs * 2;
    let poll = POLL_START_MS;
    const startedAt = this.options.now();
    for (;;) {
      const row = await this.load(credentialId);
      // Someone else finished a refresh since we started waiting.
      if (this.isFresh(row) && (!force || (row.last_refreshed_at ?? 0) >= startedAt)) return this.view(row);
      const owner = `${this.instanceId}:${randomUUID()}`;
      if (await store.tryLease(credentialId, owner, leaseMs)) {
        try {
          return await this.refreshHoldingLease(credentialId, owner, force ? startedAt : undefined);
        } catch (error) {
          // Every planned exit has released it already; this covers the unplanned ones (an unreadable secret, a database error).
          await store.releaseLease(credentialId, owner).catch(() => undefined);
          throw error;
        }
      }
      if (this.options.now() > deadline) {
        throw oauthError('OAUTH_PROVIDER_UNAVAILABLE', row.provider, undefined, 503);
      }
      await sleep(poll);
      poll = Math.min(poll * 2, POLL_MAX_MS);
    }
  }

  private async refreshHoldingLease(credentialId: string, owner: string, forcedSince: number | undefined): Promise<AccessToken> {
    const { store, logger } = this.options;
    const row = await this.load(credentialId);
    const alreadyDone = forcedSince === undefined ? this.isFresh(row) : (row.last_refreshed_at ?? 0) >= forcedSince && this.isFresh(row);
    if (alreadyDone) {
      await store.releaseLease(credentialId, owner);
      return this.view(row);
    }
    const log = logger.child({ credentialId, provider: row.provider });
    const client = this.options.clients[row.provider];
    const refreshToken = store.refreshToken(row);
    if (!client) {
      await store.releaseLease(credentialId, owner);
      throw oauthError('OAUTH_NOT_CONFIGURED', row.provider, undefined, 503);
    }
    if (!refreshToken) return this.markNeedsReauth(row, owner, 'no refresh token stored');
    let tokens: TokenSet;
    try {
      tokens = await this.withRetries(() => client.refresh(refreshToken), log);
    } catch (error) {
      if (error instanceof OAuthCallError && error.kind === 'invalid_grant') return this.markNeedsReauth(row, owner, error.message);
      await store.releaseLease(credentialId, owner);
      if (error instanceof OAuthCallError && error.kind === 'client') {
        log.error('oauth client rejected by provider: operator must fix the OAuth app settings', {
          reason: error.message,
          oauthError: error.detail.oauthError,
        });
        throw oauthError('OAUTH_CLIENT_MISCONFIGURED', row.provider, undefined, 502);
      }
      log.warn('oauth refresh failed for now', { reason: (error as Error).message });
      // The old token still works for a while: better than failing the caller.
      if ((row.access_expires_at ?? 0) > this.options.now() + 30_000 && row.access_token_enc) return this.view(row);
      throw oauthError('OAUTH_PROVIDER_UNAVAILABLE', row.provider, undefined, 503);
    }
    const saved = await store.saveRefreshed(row, owner, tokens);
    if (!saved) log.warn('oauth refresh lease was lost before saving; the new tokens were not stored');
    log.info('oauth token refreshed', { rotated: tokens.refreshToken !== undefined, expiresAt: new Date(tokens.expiresAt).toISOString() });
    return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, email: row.email };
  }

  private async withRetries(call: () => Promise<TokenSet>, log: Logger): Promise<TokenSet> {
    const { attempts, baseDelayMs } = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const transient = error instanceof OAuthCallError && error.kind === 'transient';
        if (!transient || attempt >= attempts) throw error;
        const delay = baseDelayMs * 4 ** (attempt - 1);
        log.warn('oauth refresh failed; retrying', { attempt, delayMs: delay, reason: error.message });
        await sleep(delay);
      }
    }
  }

  private async markNeedsReauth(row: OAuthCredentialRow, owner: string, reason: string): Promise<never> {
    await this.options.store.markNeedsReauth(row.id, owner, reason);
    this.options.logger.warn('oauth credential needs reauthorisation', { credentialId: row.id, provider: row.provider, reason });
    await this.options.audit?.record({
      actor: 'system',
      accountId: row.account_id,
      action: 'oauth.needs_reauth',
      result: 'error',
      detail: { provider: row.provider, credentialId: row.id },
    });
    throw oauthError('OAUTH_REAUTH_REQUIRED', row.provider);
  }

  private async load(credentialId: string): Promise<OAuthCredentialRow> {
    const row = await this.options.store.get(credentialId);
    if (!row) throw oauthError('OAUTH_NOT_CONNECTED', 'google', undefined, 409);
    if (row.status === 'needs_reauth') throw oauthError('OAUTH_REAUTH_REQUIRED', row.provider);
    return row;
  }

  private isFresh(row: OAuthCredentialRow): boolean {
    return row.access_token_enc !== null && (row.access_expires_at ?? 0) - this.options.now() > this.options.refreshMarginMs;
  }

  private view(row: OAuthCredentialRow): AccessToken {
    return { accessToken: this.options.store.accessToken(row)!, expiresAt: row.access_expires_at ?? 0, email: row.email };
  }
}

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessTokenSource } from '../settings/service.js';
import type { OAuthCredentialRow, OAuthProviderId } from '../store/database.js';
import type { Logger } from '../log/index.js';
import type { AuditLog } from '../store/audit.js';
import { OAuthCallError, type OAuthProviderClient, type TokenSet } from './client.js';
import type { CredentialStore } from './credentials.js';
import { oauthError } from './errors.js';
import { jitteredBackoff, NoSlotError, PriorityGate, type RefreshPriority, type TokenPace } from './pacing/index.js';
import { refreshMarginMs, type ClaimedRenewal, type RefreshSchedule } from './refresh-schedule.js';

/** A usable access token and the mailbox it opens. */
export interface AccessToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  email: string;
}

export interface GetTokenOptions {
  /** Refresh even though the token has not expired (a mail server refused it); skipped when another caller refreshed since. */
  forceRefresh?: boolean;
  /** `host` (default) goes ahead of `background` for the shared token budget. */
  priority?: RefreshPriority;
  /** A host's fetcher asked (the credentials endpoint): from now on the token is renewed ahead. */
  recordUse?: boolean;
}

export interface TokenServiceOptions {
  store: CredentialStore;
  clients: Partial<Record<OAuthProviderId, OAuthProviderClient>>;
  logger: Logger;
  audit?: AuditLog;
  /** The shared per-provider token budget; without it requests are not paced (tests of other parts). */
  pace?: TokenPace;
  /** When the background renews each credential; without it nothing is planned. */
  schedule?: RefreshSchedule;
  /** Token requests in flight at once per provider in this instance (default 4). */
  concurrency?: number;
  /** How long a host's call may wait for a fresh token before a 503 with Retry-After (default 10 s). */
  hostWaitMs?: number;
  /** The longest refresh margin: a token is due when less than min(this, half its lifetime) remains (default 5 minutes). */
  refreshMarginMs?: number;
  /** How long one process may hold a credential's refresh lease (default 60 s). */
  leaseMs?: number;
  /** Attempts per refresh for transient failures, and the first back-off (× 4 each time, jittered). */
  retry?: { attempts: number; baseDelayMs: number };
  now?: () => number;
}

const DEFAULTS = {
  concurrency: 4,
  hostWaitMs: 10_000,
  refreshMarginMs: 5 * 60_000,
  leaseMs: 60_000,
  retry: { attempts: 3, baseDelayMs: 250 },
};
const POLL_START_MS = 20;
const POLL_MAX_MS = 250;
/** A host's slot must start this long before its deadline, to leave time for the call itself. */
const CALL_BUDGET_MS = 1000;
/** Use is written to the schedule at most this often per credential and instance. */
const USE_NOTE_INTERVAL_MS = 10 * 60_000;
const USE_NOTES_MAX = 200_000;

/** One refresh in flight for a credential in this process; joiners may raise its priority. */
interface Flight {
  promise: Promise<AccessToken>;
  priority: RefreshPriority;
  deadline: number;
  signal: AbortSignal;
  /** Known once the row is read; names the provider in a joiner's 503. */
  provider?: OAuthProviderId;
  /** A caller's login with the current token was refused (forceRefresh): never hand that token back. */
  refused?: boolean;
}

/** Whether the row as it is now still needs a token request. */
type NeedsRefresh = (row: OAuthCredentialRow) => boolean;

/** A transient failure that this call does not retry further; `pauseMs` is the back-off it earned. */
class GaveUp extends Error {
  constructor(
    readonly failure: OAuthCallError,
    readonly pauseMs: number,
  ) {
    super(failure.message);
  }
}

/**
 * Hands out access tokens for stored OAuth connections. A token that is not due (more than
 * min(5 minutes, half its lifetime) left) is handed out as it is; otherwise it is renewed through
 * the one paced path that host calls and the background refresher share:
 *
 * - one renewal per credential: a promise per credential in this process, a lease in the database
 *   row across processes, and a re-check of the row once the lease is held;
 * - a per-provider token budget shared by every instance (`TokenPace`), a small concurrency cap,
 *   hosts ahead of background work;
 * - a `429`/`503` pauses the provider for its `Retry-After` (or a jittered back-off) and never
 *   marks the credential; only `invalid_grant` marks it `needs_reauth`;
 * - a host waits at most `hostWaitMs` (10 s), then gets `503 OAUTH_PROVIDER_UNAVAILABLE` with
 *   `Retry-After`.
 *
 * @example
 * const { accessToken, email } = await tokens.getAccessToken(credentialId, { recordUse: true });
 */
export class TokenService implements AccessTokenSource {
  private readonly inflight = new Map<string, Flight>();
  private readonly instanceId = randomUUID().slice(0, 8);
  private readonly gates = new Map<OAuthProviderId, PriorityGate>();
  private readonly useNotes = new Map<string, number>();
  private readonly closing = new AbortController();
  private readonly options: Required<Omit<TokenServiceOptions, 'audit' | 'pace' | 'schedule'>> &
    Pick<TokenServiceOptions, 'audit' | 'pace' | 'schedule'>;

  constructor(options: TokenServiceOptions) {
    this.options = { ...DEFAULTS, now: Date.now, ...options };
    // Every wait listens to it; thousands may wait at once during a cliff.
    setMaxListeners(0, this.closing.signal);
  }

  /** A token that is not due, renewed first if it is (or when `forceRefresh` asks). */
  async getAccessToken(credentialId: string, options: GetTokenOptions = {}): Promise<AccessToken> {
    const startedAt = this.options.now();
    const priority = options.priority ?? 'host';
    const row = await this.load(credentialId);
    let token: AccessToken;
    if (!options.forceRefresh && !this.isDue(row)) {
      token = this.view(row);
    } else {
      const needs: NeedsRefresh = options.forceRefresh
        ? (current) => this.isDue(current) || (current.last_refreshed_at ?? 0) < startedAt
        : (current) => this.isDue(current);
      const deadline = startedAt + (priority === 'host' ? this.options.hostWaitMs : this.options.leaseMs);
      token = await this.refresh(credentialId, { needs, priority, deadline, refused: options.forceRefresh === true });
    }
    if (options.recordUse) this.noteUse(row, token);
    return token;
  }

  /**
   * The background refresher's entry for one claimed schedule row: re-checks on the credential
   * whether a renewal ahead (a token in use) or a keep-alive (an idle Microsoft grant) is still
   * due, renews it through the same paced path at background priority, and plans the next one.
   */
  async renewAhead(claim: ClaimedRenewal, signal?: AbortSignal): Promise<'renewed' | 'skipped' | 'failed'> {
    const schedule = this.options.schedule;
    if (!schedule) return 'skipped';
    const row = await this.options.store.get(claim.credentialId);
    if (!row || row.status !== 'active' || !row.refresh_token_enc) {
      await schedule.remove(claim.credentialId);
      return 'skipped';
    }
    const facts = (current: OAuthCredentialRow) => ({
      provider: current.provider,
      issuedAt: current.last_refreshed_at,
      expiresAt: current.access_expires_at,
      lastUsedAt: claim.lastUsedAt,
    });
    const needs: NeedsRefresh = (current) => schedule.isDueAhead(facts(current)) || schedule.needsKeepAlive(facts(current));
    if (!needs(row)) {
      await schedule.set(row.id, schedule.plan(facts(row)));
      return 'skipped';
    }
    try {
      await this.refresh(row.id, { needs, priority: 'background', deadline: this.options.now() + this.options.leaseMs / 2, signal });
      return 'renewed';
    } catch (error) {
      if (signal?.aborted) return 'failed';
      // Already logged, and for invalid_grant recorded on the credential.
      this.options.logger.debug('background refresh did not renew a credential', {
        credentialId: row.id,
        errorCode: (error as { code?: string }).code,
      });
      return 'failed';
    }
  }

  /**
   * Refreshes now, sharing the flight with concurrent callers. `force` refreshes a token that is
   * still fresh, unless someone refreshed it since this call began.
   */
  refresh(
    credentialId: string,
    options: { force?: boolean; needs?: NeedsRefresh; priority?: RefreshPriority; deadline?: number; signal?: AbortSignal; refused?: boolean } = {},
  ): Promise<AccessToken> {
    const now = this.options.now();
    const priority = options.priority ?? 'host';
    const deadline = options.deadline ?? now + this.options.hostWaitMs;
    const running = this.inflight.get(credentialId);
    if (running) {
      if (priority === 'host') running.priority = 'host';
      if (options.refused) running.refused = true;
      return priority === 'host' ? this.withinDeadline(running, deadline) : running.promise;
    }
    const needs: NeedsRefresh =
      options.needs ?? (options.force ? (row) => this.isDue(row) || (row.last_refreshed_at ?? 0) < now : (row) => this.isDue(row));
    const signal = options.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
    setMaxListeners(0, signal);
    const flight: Flight = { promise: undefined as unknown as Promise<AccessToken>, priority, deadline, signal, refused: options.refused === true };
    flight.promise = this.refreshAcrossProcesses(credentialId, needs, flight).finally(() => this.inflight.delete(credentialId));
    this.inflight.set(credentialId, flight);
    return flight.promise;
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

  /** Stops every wait (pacing, back-off, leases): callers still waiting get a 503. For shutdown. */
  close(): void {
    this.closing.abort(new Error('The server is shutting down.'));
  }

  private async refreshAcrossProcesses(credentialId: string, needs: NeedsRefresh, flight: Flight): Promise<AccessToken> {
    const { store, leaseMs } = this.options;
    let poll = POLL_START_MS;
    for (;;) {
      const row = await this.load(credentialId);
      flight.provider = row.provider;
      // Someone else finished a refresh since we started waiting.
      if (!needs(row)) return this.view(row);
      const owner = `${this.instanceId}:${randomUUID()}`;
      if (await store.tryLease(credentialId, owner, leaseMs)) {
        try {
          return await this.refreshHoldingLease(credentialId, owner, needs, flight);
        } catch (error) {
          // Every planned exit has released it already; this covers the unplanned ones (an unreadable secret, a database error).
          await store.releaseLease(credentialId, owner).catch(() => undefined);
          throw error;
        }
      }
      // Another process is renewing it: a background caller leaves it to them.
      if (flight.priority === 'background' || this.options.now() + poll > flight.deadline || flight.signal.aborted) {
        throw this.unavailable(row.provider, poll);
      }
      await sleep(poll, undefined, { signal: flight.signal }).catch(() => undefined);
      poll = Math.min(poll * 2, POLL_MAX_MS);
    }
  }

  private async refreshHoldingLease(credentialId: string, owner: string, needs: NeedsRefresh, flight: Flight): Promise<AccessToken> {
    const { store, logger, schedule } = this.options;
    const leaseTakenAt = this.options.now();
    // Re-checked on the row as it is now that we hold the lease: it may have been renewed meanwhile.
    const row = await this.load(credentialId);
    if (!needs(row)) {
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
      tokens = await this.callProvider(row.provider, client, refreshToken, flight, leaseTakenAt, log);
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
      const pauseMs = error instanceof GaveUp ? error.pauseMs : error instanceof NoSlotError ? error.retryAfterMs : 1000;
      if (error instanceof GaveUp || error instanceof OAuthCallError) {
        log.warn('oauth refresh failed for now', { reason: (error as Error).message });
      }
      // A background renewal comes back after the back-off; the claim lease covers the other exits.
      if (flight.priority === 'background' && error instanceof GaveUp) {
        await schedule?.set(credentialId, this.options.now() + pauseMs).catch(() => undefined);
      }
      // The old token still works for a while: better than failing the caller — unless a mail server just refused it.
      if (!flight.refused && (row.access_expires_at ?? 0) > this.options.now() + 30_000 && row.access_token_enc) return this.view(row);
      throw this.unavailable(row.provider, pauseMs);
    }
    const saved = await store.saveRefreshed(row, owner, tokens);
    if (!saved) log.warn('oauth refresh lease was lost before saving; the new tokens were not stored');
    log.info('oauth token refreshed', { rotated: tokens.refreshToken !== undefined, expiresAt: new Date(tokens.expiresAt).toISOString() });
    if (saved && schedule) {
      const issuedAt = this.options.now();
      const lastUsedAt = await schedule.lastUsedAt(credentialId);
      await schedule.set(credentialId, schedule.plan({ provider: row.provider, issuedAt, expiresAt: tokens.expiresAt, lastUsedAt }));
    }
    return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, email: row.email };
  }

  /**
   * One token request through the pacing: a concurrency permit (hosts first), then a slot of the
   * shared budget (a host may queue for one until its deadline; background takes only the next one),
   * then the call. A 429/503 pauses the provider for everyone; a host retries while its deadline
   * allows, background work gives up and comes back later.
   */
  private async callProvider(
    provider: OAuthProviderId,
    client: OAuthProviderClient,
    refreshToken: string,
    flight: Flight,
    leaseTakenAt: number,
    log: Logger,
  ): Promise<TokenSet> {
    const { pace, retry, leaseMs } = this.options;
    const gate = this.gateFor(provider);
    for (let attempt = 1; ; attempt += 1) {
      let pauseMs: number;
      const release = await gate.acquire(() => flight.priority, flight.signal);
      try {
        if (pace) {
          // Hosts may queue for a slot until their deadline; background work takes only the next one.
          const latestStart = () => (flight.priority === 'host' ? flight.deadline - CALL_BUDGET_MS : undefined);
          await pace.take(provider, { signal: flight.signal, latestStart });
        }
        // A background caller starved by host traffic lets its lease go rather than outlive it.
        if (this.options.now() - leaseTakenAt > leaseMs / 2) throw new NoSlotError(1000);
        try {
          return await client.refresh(refreshToken);
        } catch (error) {
          if (!(error instanceof OAuthCallError) || error.kind !== 'transient') throw error;
          const throttled = error.detail.status === 429 || error.detail.status === 503;
          pauseMs = error.detail.retryAfterMs ?? jitteredBackoff(attempt, retry.baseDelayMs);
          if (throttled && pace) await pace.pauseUntil(provider, this.options.now() + pauseMs);
          const retryAt = this.options.now() + pauseMs;
          if (flight.priority === 'background' || attempt >= retry.attempts || retryAt > flight.deadline - CALL_BUDGET_MS) {
            throw new GaveUp(error, pauseMs);
          }
          log.warn('oauth refresh failed; retrying', { attempt, delayMs: pauseMs, reason: error.message });
        }
      } finally {
        release();
      }
      await sleep(pauseMs, undefined, { signal: flight.signal });
    }
  }

  /** Host callers joining a flight still get their answer (or a 503) by their own deadline. */
  private async withinDeadline(flight: Flight, deadline: number): Promise<AccessToken> {
    const wait = deadline - this.options.now();
    if (wait <= 0) return flight.promise;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.unavailable(flight.provider ?? 'google', 1000)), wait);
    });
    try {
      return await Promise.race([flight.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private gateFor(provider: OAuthProviderId): PriorityGate {
    let gate = this.gates.get(provider);
    if (!gate) this.gates.set(provider, (gate = new PriorityGate(this.options.concurrency)));
    return gate;
  }

  /** Notes that a host uses this token, so the background renews it ahead (at most every 10 minutes per credential). */
  private noteUse(row: OAuthCredentialRow, token: AccessToken): void {
    const schedule = this.options.schedule;
    if (!schedule) return;
    const now = this.options.now();
    const last = this.useNotes.get(row.id);
    if (last !== undefined && now - last < USE_NOTE_INTERVAL_MS) return;
    if (this.useNotes.size >= USE_NOTES_MAX) this.useNotes.clear();
    this.useNotes.set(row.id, now);
    const issuedAt = token.expiresAt === row.access_expires_at ? row.last_refreshed_at : now;
    const renewAt = schedule.plan({ provider: row.provider, issuedAt, expiresAt: token.expiresAt, lastUsedAt: now });
    schedule.recordUse(row.id, renewAt).catch((error: unknown) => {
      this.useNotes.delete(row.id);
      this.options.logger.warn('could not record token use', { credentialId: row.id, error });
    });
  }

  private async markNeedsReauth(row: OAuthCredentialRow, owner: string, reason: string): Promise<never> {
    await this.options.store.markNeedsReauth(row.id, owner, reason);
    await this.options.schedule?.set(row.id, null).catch(() => undefined);
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

  /** `503 OAUTH_PROVIDER_UNAVAILABLE` with the `Retry-After` the HTTP edge sends. */
  private unavailable(provider: OAuthProviderId, retryAfterMs: number): Error {
    return Object.assign(oauthError('OAUTH_PROVIDER_UNAVAILABLE', provider, undefined, 503), {
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    });
  }

  private async load(credentialId: string): Promise<OAuthCredentialRow> {
    const row = await this.options.store.get(credentialId);
    if (!row) throw oauthError('OAUTH_NOT_CONNECTED', 'google', undefined, 409);
    if (row.status === 'needs_reauth') throw oauthError('OAUTH_REAUTH_REQUIRED', row.provider);
    return row;
  }

  /** Due when less than min(5 minutes, half its lifetime) remains, or when there is no token. */
  private isDue(row: OAuthCredentialRow): boolean {
    if (row.access_token_enc === null || row.access_expires_at === null) return true;
    const margin = refreshMarginMs(row.last_refreshed_at, row.access_expires_at, this.options.refreshMarginMs);
    return row.access_expires_at - this.options.now() <= margin;
  }

  private view(row: OAuthCredentialRow): AccessToken {
    return { accessToken: this.options.store.accessToken(row)!, expiresAt: row.access_expires_at ?? 0, email: row.email };
  }
}

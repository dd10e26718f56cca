import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { generateCodeVerifier } from 'arctic';
import type { Database, OAuthFlowRow, OAuthProviderId } from '../store/database.js';
import type { Keyring } from '../crypto/keyring.js';
import type { OAuthFlowStatus } from '../contract/oauth.js';
import { oauthMessage, type OAuthErrorCode } from './errors.js';

const VERIFIER_COLUMN = 'oauth_flows.code_verifier_enc';
/** A flow is usable for at most ten minutes. */
export const FLOW_TTL_MS = 10 * 60_000;

/** A callback could not be matched to a usable flow. `flow` is set when the state was genuine. */
export class FlowError extends Error {
  override name = 'FlowError';
  constructor(
    readonly code: OAuthErrorCode,
    readonly flow?: OAuthFlowRow,
  ) {
    super(code);
  }
}

export interface NewFlow {
  flowId: string;
  /** Goes into the authorisation URL; only its hash is stored. */
  state: string;
  codeVerifier: string;
  expiresAt: number;
}

/** What `GET /oauth/flows/:flowId` answers (the contract's `OAuthFlowStatus`). */
export type FlowStatus = OAuthFlowStatus;

export interface FlowStoreOptions {
  now?: () => number;
  ttlMs?: number;
}

/**
 * Server-side records of OAuth authorisations in `oauth_flows`: who started it (session and
 * account), for which provider and origin, its PKCE verifier (encrypted), and its outcome.
 * The state is `<flowId>.<secret>`: the id finds the row, the secret's SHA-256 is compared in
 * constant time, and a row is claimed once.
 */
export class FlowStore {
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keyring: Keyring,
    options: FlowStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ttlMs = Math.min(options.ttlMs ?? FLOW_TTL_MS, FLOW_TTL_MS);
  }

  /** Records a new pending flow and returns its secrets for the authorisation URL. */
  async create(input: {
    provider: OAuthProviderId;
    accountId: string;
    sessionId: string;
    origin?: string;
    returnUrl?: string;
    loginHint?: string;
  }): Promise<NewFlow> {
    const flowId = randomUUID();
    const state = `${flowId}.${randomBytes(32).toString('base64url')}`;
    const codeVerifier = generateCodeVerifier();
    const now = this.now();
    const expiresAt = now + this.ttlMs;
    await this.db
      .insertInto('oauth_flows')
      .values({
        id: flowId,
        state_hash: hashState(state),
        provider: input.provider,
        account_id: input.accountId,
        session_id: input.sessionId,
        origin: input.origin ?? null,
        return_url: input.returnUrl ?? null,
        login_hint: input.loginHint ?? null,
        code_verifier_enc: this.keyring.encrypt(codeVerifier, { accountId: input.accountId, column: VERIFIER_COLUMN }),
        error_code: null,
        error_message: null,
        result_email: null,
        credential_id: null,
        created_at: now,
        expires_at: expiresAt,
        consumed_at: null,
        browser_hash: null,
      })
      .execute();
    return { flowId, state, codeVerifier, expiresAt };
  }

  /**
   * Binds a pending flow to the browser that opens it (RFC 9700 §4.7.1), once: returns the secret
   * for that browser's first-party cookie (only its SHA-256 is stored) and what the provider's
   * authorisation URL needs. A flow opened already, finished, expired or unknown is a `FlowError`.
   */
  async bindBrowser(state: string | undefined): Promise<{ flow: OAuthFlowRow; codeVerifier: string; browserSecret: string }> {
    const flow = await this.findByState(state);
    if (flow.consumed_at !== null || flow.browser_hash !== null) throw new FlowError('OAUTH_STATE_USED', flow);
    if (flow.expires_at <= this.now()) throw new FlowError('OAUTH_STATE_EXPIRED', flow);
    const browserSecret = randomBytes(32).toString('base64url');
    const bound = await this.db
      .updateTable('oauth_flows')
      .set({ browser_hash: hashState(browserSecret) })
      .where('id', '=', flow.id)
      .where('browser_hash', 'is', null)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (Number(bound.numUpdatedRows) !== 1) throw new FlowError('OAUTH_STATE_USED', flow);
    const codeVerifier = this.keyring.decrypt(flow.code_verifier_enc, { accountId: flow.account_id, column: VERIFIER_COLUMN });
    return { flow, codeVerifier, browserSecret };
  }

  /**
   * Takes the flow a callback's `state` names, exactly once, and only for the browser it was bound
   * to (`browserSecret` from its cookie). Throws a `FlowError` for an unknown, replayed or expired
   * state, one started for another provider, or another browser (`OAUTH_BROWSER_MISMATCH`, which
   * changes nothing: the browser that started the flow can still finish it).
   */
  async claim(state: string | undefined, provider: OAuthProviderId, browserSecret?: string): Promise<{ flow: OAuthFlowRow; codeVerifier: string }> {
    const flow = await this.findByState(state);
    if (flow.consumed_at !== null) throw new FlowError('OAUTH_STATE_USED', flow);
    if (!flow.browser_hash || !browserSecret || !sameHash(hashState(browserSecret), flow.browser_hash)) {
      throw new FlowError('OAUTH_BROWSER_MISMATCH', flow);
    }
    const flowId = flow.id;
    const now = this.now();
    const taken = await this.db
      .updateTable('oauth_flows')
      .set({ consumed_at: now })
      .where('id', '=', flowId)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) throw new FlowError('OAUTH_STATE_USED', flow);
    const claimed = { ...flow, consumed_at: now };
    if (flow.expires_at <= now) {
      await this.fail(flowId, 'OAUTH_STATE_EXPIRED', oauthMessage('OAUTH_STATE_EXPIRED', flow.provider));
      throw new FlowError('OAUTH_STATE_EXPIRED', claimed);
    }
    if (flow.provider !== provider) {
      await this.fail(flowId, 'OAUTH_WRONG_PROVIDER', oauthMessage('OAUTH_WRONG_PROVIDER', provider));
      throw new FlowError('OAUTH_WRONG_PROVIDER', claimed);
    }
    const codeVerifier = this.keyring.decrypt(flow.code_verifier_enc, { accountId: flow.account_id, column: VERIFIER_COLUMN });
    return { flow: claimed, codeVerifier };
  }

  /** The flow a `state` names, unchanged (FlowError `OAUTH_STATE_INVALID` when there is none). */
  peek(state: string | undefined): Promise<OAuthFlowRow> {
    return this.findByState(state);
  }

  private async findByState(state: string | undefined): Promise<OAuthFlowRow> {
    const flowId = /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{20,}$/.exec(state ?? '')?.[1];
    if (!state || !flowId) throw new FlowError('OAUTH_STATE_INVALID');
    const flow = await this.db.selectFrom('oauth_flows').selectAll().where('id', '=', flowId).executeTakeFirst();
    if (!flow || !sameHash(hashState(state), flow.state_hash)) throw new FlowError('OAUTH_STATE_INVALID');
    return flow;
  }

  /** Marks a claimed flow connected. */
  async succeed(flowId: string, result: { email: string; credentialId: string }): Promise<void> {
    await this.db
      .updateTable('oauth_flows')
      .set({ status: 'connected', result_email: result.email, credential_id: result.credentialId })
      .where('id', '=', flowId)
      .execute();
  }

  /**
   * Marks a flow failed with a code, a sentence and steps the widget can show. The steps are kept
   * one per line after the sentence in `error_message` (a sentence has no line break).
   */
  async fail(flowId: string, code: OAuthErrorCode, message: string, steps: string[] = []): Promise<void> {
    await this.db
      .updateTable('oauth_flows')
      .set({ status: 'failed', error_code: code, error_message: [message, ...steps].map((line) => line.replace(/[\r\n]+/g, ' ')).join('\n') })
      .where('id', '=', flowId)
      .execute();
  }

  /** The outcome of a flow, for its own account only (another account's flow reads as unknown). */
  async status(flowId: string, accountId: string): Promise<FlowStatus | undefined> {
    const flow = await this.db
      .selectFrom('oauth_flows')
      .select(['status', 'result_email', 'error_code', 'error_message', 'expires_at', 'consumed_at', 'provider'])
      .where('id', '=', flowId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!flow) return undefined;
    if (flow.status === 'connected') return { status: 'connected', ...(flow.result_email ? { email: flow.result_email } : {}) };
    if (flow.status === 'failed') {
      const [message = '', ...steps] = (flow.error_message ?? '').split('\n');
      return { status: 'failed', error: { code: flow.error_code ?? 'OAUTH_PROVIDER_ERROR', message, ...(steps.length ? { steps } : {}) } };
    }
    if (flow.consumed_at === null && flow.expires_at <= this.now()) {
      return { status: 'failed', error: { code: 'OAUTH_STATE_EXPIRED', message: oauthMessage('OAUTH_STATE_EXPIRED', flow.provider) } };
    }
    return { status: 'pending' };
  }

  /** Deletes flows that ended or expired before `before` (epoch ms). */
  async deleteOlderThan(before: number): Promise<number> {
    const result = await this.db.deleteFrom('oauth_flows').where('expires_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

import type { Kysely } from 'kysely';
import { ApiError } from '../http/errors.js';
import type { Logger } from '../log/index.js';
import type { AccessTokenSource, SettingsService } from '../settings/service.js';
import type { LastTest } from '../settings/schema.js';
import type { TestedCredentials } from '../settings/test-fingerprint.js';
import type { AuditLog } from '../store/audit.js';
import type { Database, EmailSettingsRow, OAuthProviderId } from '../store/database.js';
import type { RateLimitDecision } from '../store/rate-limits.js';
import { testImap } from './imap-tester.js';
import { testSmtp } from './smtp-tester.js';
import type { TestInput } from './schema.js';
import type { MailNetwork } from './socket.js';
import type { MailCredentials, MailServer, Phase, PhaseListener, Protocol, ProtocolResult } from './types.js';

/** The answer of `POST /test`: an omitted protocol is omitted here too. */
export interface TestAnswer {
  ok: boolean;
  imap?: ProtocolResult;
  smtp?: ProtocolResult;
}

export interface MailTestLimits {
  /** Whole test, both protocols (default 20 s). */
  timeoutMs: number;
  /** One phase (default 10 s). */
  phaseTimeoutMs: number;
  /** Tests per session per window (default 20 per 10 minutes). */
  perSession: { limit: number; windowMs: number };
  /** Tests against one host per window, all sessions together (default 30 per minute). */
  perHost: { limit: number; windowMs: number };
}

export const DEFAULT_LIMITS: MailTestLimits = {
  timeoutMs: 20_000,
  phaseTimeoutMs: 10_000,
  perSession: { limit: 20, windowMs: 10 * 60_000 },
  perHost: { limit: 30, windowMs: 60_000 },
};

export interface MailTestDependencies {
  net: MailNetwork;
  settings: SettingsService;
  db: Kysely<Database>;
  rateLimits: { hit(bucket: string, limit: number, windowMs: number): Promise<RateLimitDecision> };
  /** The OAuth token service; without it OAuth tests fail with OAUTH_TOKEN_INVALID. */
  tokens?: AccessTokenSource;
  audit?: AuditLog;
  logger: Logger;
  /** On-premise mode: plaintext with a password is allowed. */
  allowPrivateNetworks: boolean;
  limits?: Partial<MailTestLimits>;
  /** Extra CA trusted by the testers (tests; production uses the system store). */
  ca?: string | Buffer;
}

/** Who asks: the session's account and id. */
export interface TestCaller {
  accountId: string;
  sessionId: string;
  requestId?: string;
}

/** A test ready to run: targets and credentials resolved, limits checked. Holds secrets: never serialise it. */
export interface PreparedTest {
  caller: TestCaller;
  targets: Partial<Record<Protocol, MailServer>>;
  credentials: Partial<Record<Protocol, MailCredentials>> | { tokenError: string };
  oauthProvider?: OAuthProviderId;
  allowUntrustedCertificates: boolean;
  /** SMTP signs in with its own password: a refused one points at `auth.smtpPassword`. */
  separateSmtpPassword: boolean;
  sendTestTo?: string;
  from: string;
  saved?: EmailSettingsRow;
}

/**
 * Runs connection tests for the widget: resolves what to test from the request and the saved
 * settings, enforces the safety rules (no password over plaintext, rate limits per session and
 * per host), runs IMAP and SMTP in parallel under one deadline, and saves the outcome (codes
 * only, never secrets) on the account.
 *
 * @example
 * const prepared = await mailTests.prepare(body, { accountId, sessionId });
 * const answer = await mailTests.run(prepared, (protocol, phase) => send({ protocol, ...phase }));
 */
export class MailTestService {
  readonly limits: MailTestLimits;

  constructor(private readonly deps: MailTestDependencies) {
    this.limits = { ...DEFAULT_LIMITS, ...deps.limits };
  }

  /** Checks the request and turns it into a test; throws `ApiError` (400, 404, 409, 429) when it cannot run. */
  async prepare(input: TestInput, caller: TestCaller): Promise<PreparedTest> {
    const saved = await this.savedSettings(caller.accountId);
    const targets: PreparedTest['targets'] =
      input.imap || input.smtp ? { ...(input.imap ? { imap: input.imap } : {}), ...(input.smtp ? { smtp: input.smtp } : {}) } : savedTargets(saved?.row);
    if (!targets.imap && !targets.smtp) {
      throw new ApiError(400, 'MISSING_FIELD', 'Give the IMAP or SMTP server to test (nothing is saved for this account yet).', 'imap');
    }
    const auth = input.auth ?? savedAuth(saved?.row);
    if (!auth) throw new ApiError(400, 'MISSING_FIELD', 'Give the sign-in (auth) to test with; nothing is saved for this account yet.', 'auth');
    if (auth.method === 'password') this.refuseInsecure(targets);

    await this.checkRateLimits(caller, targets);

    let credentials: PreparedTest['credentials'];
    let separateSmtpPassword = false;
    if (auth.method === 'password') {
      const usingSaved = !auth.password;
      const password = auth.password ?? (saved?.row.auth_method === 'password' ? saved.password : undefined);
      if (!password) throw new ApiError(400, 'PASSWORD_REQUIRED', 'Enter the mailbox password (or app password).', 'auth.password');
      const smtpPassword = auth.smtpPassword ?? (usingSaved ? saved?.smtpPassword : undefined) ?? password;
      separateSmtpPassword = smtpPassword !== password;
      credentials = {
        ...(targets.imap ? { imap: { kind: 'password', user: targets.imap.username, password } } : {}),
        ...(targets.smtp ? { smtp: { kind: 'password', user: targets.smtp.username, password: smtpPassword } } : {}),
      };
    } else {
      credentials = await this.oauthCredentials(caller.accountId, auth.provider, targets);
    }
    return {
      caller,
      targets,
      credentials,
      oauthProvider: auth.method === 'oauth' ? auth.provider : undefined,
      allowUntrustedCertificates: input.allowUntrustedCertificates ?? saved?.row.allow_untrusted_tls === 1,
      separateSmtpPassword,
      sendTestTo: input.sendTestTo,
      from: input.email ?? saved?.row.email ?? targets.smtp?.username ?? '',
      saved: saved?.row,
    };
  }

  /** Runs a prepared test; `onPhase` hears each phase as it finishes. Never throws for a failed connection. */
  async run(test: PreparedTest, onPhase?: PhaseListener): Promise<TestAnswer> {
    const signal = AbortSignal.timeout(this.limits.timeoutMs);
    const common = {
      phaseTimeoutMs: this.limits.phaseTimeoutMs,
      overallTimeoutMs: this.limits.timeoutMs,
      signal,
      ca: this.deps.ca,
      allowUntrustedCertificates: test.allowUntrustedCertificates,
      oauthProvider: test.oauthProvider,
    };
    const runOne = async (protocol: Protocol): Promise<ProtocolResult | undefined> => {
      const server = test.targets[protocol];
      if (!server) return undefined;
      if ('tokenError' in test.credentials) return tokenFailure(test.credentials.tokenError, test.oauthProvider, onPhase && ((phase) => onPhase(protocol, phase)));
      const credentials = test.credentials[protocol]!;
      const options = { ...common, onPhase: onPhase && ((phase: Phase) => onPhase(protocol, phase)) };
      return protocol === 'imap'
        ? testImap(this.deps.net, server, credentials, options)
        : testSmtp(this.deps.net, server, credentials, { ...options, sendTestTo: test.sendTestTo, from: test.from });
    };
    const [imap, smtp] = await Promise.all([runOne('imap'), runOne('smtp')]);
    if (test.separateSmtpPassword && smtp?.error?.field === 'auth.password') smtp.error.field = 'auth.smtpPassword';
    const answer: TestAnswer = { ok: [imap, smtp].every((result) => result === undefined || result.ok), ...(imap ? { imap } : {}), ...(smtp ? { smtp } : {}) };
    await this.record(test, answer);
    return answer;
  }

  /** The saved settings with their secrets, or undefined when nothing is saved yet. */
  private async savedSettings(accountId: string) {
    try {
      return await this.deps.settings.secrets(accountId);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'NOT_CONFIGURED') return undefined;
      throw error;
    }
  }

  private refuseInsecure(targets: PreparedTest['targets']): void {
    if (this.deps.allowPrivateNetworks) return;
    for (const protocol of ['imap', 'smtp'] as const) {
      if (targets[protocol]?.security === 'none') {
        throw new ApiError(
          400,
          'INSECURE_CONNECTION',
          `Sending a password over an unencrypted ${protocol.toUpperCase()} connection is not allowed; choose TLS or STARTTLS.`,
          `${protocol}.security`,
        );
      }
    }
  }

  private async checkRateLimits(caller: TestCaller, targets: PreparedTest['targets']): Promise<void> {
    const { perSession, perHost } = this.limits;
    const hosts = [...new Set([targets.imap?.host, targets.smtp?.host].filter((host): host is string => Boolean(host)))];
    const decisions = [
      await this.deps.rateLimits.hit(`mail-test:session:${caller.sessionId}`, perSession.limit, perSession.windowMs),
      ...(await Promise.all(hosts.map((host) => this.deps.rateLimits.hit(`mail-test:host:${host}`, perHost.limit, perHost.windowMs)))),
    ];
    const refused = decisions.find((decision) => !decision.allowed);
    if (refused) {
      const seconds = Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
      throw new ApiError(429, 'RATE_LIMITED', `Too many connection tests in a short time; try again in ${seconds} seconds.`);
    }
  }

  private async oauthCredentials(accountId: string, provider: OAuthProviderId, targets: PreparedTest['targets']): Promise<PreparedTest['credentials']> {
    const credential = await this.deps.db
      .selectFrom('oauth_credentials')
      .select(['id'])
      .where('account_id', '=', accountId)
      .where('provider', '=', provider)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    const name = provider === 'google' ? 'Google' : 'Microsoft';
    if (!credential) {
      throw new ApiError(409, 'OAUTH_NOT_CONNECTED', `Sign in with ${name} first; no ${name} connection exists for this account.`, 'auth.provider');
    }
    if (!this.deps.tokens) return { tokenError: `Sign-in with ${name} is not available on this server.` };
    try {
      const token = await this.deps.tokens.getAccessToken(credential.id);
      const forServer = (server: MailServer | undefined): MailCredentials | undefined =>
        server && { kind: 'oauth', user: server.username || token.email, accessToken: token.accessToken };
      return { ...(targets.imap ? { imap: forServer(targets.imap) } : {}), ...(targets.smtp ? { smtp: forServer(targets.smtp) } : {}) };
    } catch (error) {
      // The token service's errors are sentences meant for people (reconnect, provider down).
      return { tokenError: error instanceof ApiError ? error.message : `The ${name} sign-in could not be renewed; sign in with ${name} again.` };
    }
  }

  /** Saves the outcome on the account when the tested servers are the saved ones. */
  private async record(test: PreparedTest, answer: TestAnswer): Promise<void> {
    const { caller, saved } = test;
    const codes = {
      ...(answer.imap ? { imap: { ok: answer.imap.ok, ...(answer.imap.error ? { code: answer.imap.error.code } : {}) } } : {}),
      ...(answer.smtp ? { smtp: { ok: answer.smtp.ok, ...(answer.smtp.error ? { code: answer.smtp.error.code } : {}) } } : {}),
    };
    this.deps.logger.info('mail test', { ok: answer.ok, ...codes, imapHost: test.targets.imap?.host, smtpHost: test.targets.smtp?.host });
    await this.deps.audit?.record({
      actor: 'session',
      accountId: caller.accountId,
      action: 'mail.test',
      result: answer.ok ? 'ok' : 'error',
      detail: codes,
      requestId: caller.requestId,
    });
    const lastTest: LastTest = { at: new Date().toISOString(), ok: answer.ok, ...codes };
    const tested = testedCredentials(test);
    if (test.targets.imap && test.targets.smtp && tested) {
      await this.deps.settings.rememberTest(caller.accountId, { imap: test.targets.imap, smtp: test.targets.smtp }, tested, lastTest);
    }
    if (!saved || !matchesSaved(saved, test.targets)) return;
    await this.deps.settings.recordTest(caller.accountId, lastTest);
  }
}

function savedTargets(row: EmailSettingsRow | undefined): PreparedTest['targets'] {
  if (!row) return {};
  return {
    imap: { host: row.imap_host, port: row.imap_port, security: row.imap_security, username: row.imap_username },
    smtp: { host: row.smtp_host, port: row.smtp_port, security: row.smtp_security, username: row.smtp_username },
  };
}

function savedAuth(row: EmailSettingsRow | undefined): TestInput['auth'] {
  if (!row) return undefined;
  return row.auth_method === 'oauth' ? { method: 'oauth', provider: row.oauth_provider! } : { method: 'password' };
}

/** What the test signed in with, for recognising the same settings when they are saved. */
function testedCredentials(test: PreparedTest): TestedCredentials | undefined {
  if ('tokenError' in test.credentials) return undefined;
  if (test.oauthProvider) return { method: 'oauth', provider: test.oauthProvider };
  const { imap, smtp } = test.credentials;
  if (imap?.kind !== 'password' || smtp?.kind !== 'password') return undefined;
  return { method: 'password', password: imap.password, smtpPassword: smtp.password };
}

/** A test of other servers says nothing about the saved ones, so it is not recorded on them. */
function matchesSaved(row: EmailSettingsRow, targets: PreparedTest['targets']): boolean {
  const same = (server: MailServer | undefined, host: string, port: number) => !server || (server.host === host && server.port === port);
  return same(targets.imap, row.imap_host, row.imap_port) && same(targets.smtp, row.smtp_host, row.smtp_port);
}

function tokenFailure(message: string, provider: OAuthProviderId | undefined, onPhase?: (phase: Phase) => void): ProtocolResult {
  const phase: Phase = { name: 'token', ok: false, ms: 0 };
  onPhase?.(phase);
  const name = provider === 'microsoft' ? 'Microsoft' : 'Google';
  return {
    ok: false,
    phases: [phase],
    error: {
      code: 'OAUTH_TOKEN_INVALID',
      message,
      field: 'auth.provider',
      steps: [`Sign in with ${name} again to renew the connection.`, 'Then run the test again.'],
    },
  };
}

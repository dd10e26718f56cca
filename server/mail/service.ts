import type { Kysely } from 'kysely';
import { AppError, isAppError } from '../contract/errors.js';
import type { Logger } from '../log/index.js';
import type { AccessTokenSource, SettingsService } from '../settings/service.js';
import type { TestedCredentials } from '../settings/test-fingerprint.js';
import type { ProtocolOutcome } from '../settings/status.js';
import { checkMailboxForAccount, resolveSignedInAccount } from '../settings/account.js';
import { sayOnce } from './consequence.js';
import { refusedTheToken } from './diagnose.js';
import type { AuditLog } from '../store/audit.js';
import type { Database, EmailSettingsRow, OAuthProviderId } from '../store/database.js';
import type { RateLimitDecision } from '../store/rate-limits.js';
import { testImap } from './imap-tester.js';
import { testSmtp } from './smtp-tester.js';
import type { TestInput } from '../contract/test-result.js';
import type { MailNetwork } from './socket.js';
import { pinnedResolver, resolveOnce, type Resolution } from '../net/index.js';
import { checkOAuthTargets, checkPasswordTransport, passwordSources, type SecretSource } from '../settings/secret-binding.js';
import type { MailCredentials, MailServer, Phase, PhaseListener, PhaseName, Protocol, ProtocolResult, TestError } from './types.js';

/** The answer of `POST /test`: an omitted protocol is omitted here too. */
export interface TestAnswer {
  ok: boolean;
  imap?: ProtocolResult;
  smtp?: ProtocolResult;
}

export interface MailTestLimits {
  /** Whole test, both protocols (default 45 s: room for a slow greeting and the sign-in after it). */
  timeoutMs: number;
  /** One phase (default 10 s). */
  phaseTimeoutMs: number;
  /** The server's greeting (default 30 s, as nodemailer waits; RFC 5321 allows minutes). */
  greetingTimeoutMs: number;
  /** Tests per session per window (default 20 per 10 minutes). */
  perSession: { limit: number; windowMs: number };
  /** Tests against one host per window, all sessions together (default 30 per minute). */
  perHost: { limit: number; windowMs: number };
}

export const DEFAULT_LIMITS: MailTestLimits = {
  timeoutMs: 45_000,
  phaseTimeoutMs: 10_000,
  greetingTimeoutMs: 30_000,
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

/** Live progress besides finished phases, for the event stream. */
export interface TestProgress {
  /** A phase started (to show "waiting for the server's greeting" while it lasts). */
  onPhaseStart?(protocol: Protocol, name: PhaseName): void;
  /** One protocol's check is over (the other may still run). */
  onProtocol?(protocol: Protocol, result: ProtocolResult): void;
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
  /** `temporary`: the provider could not be reached — nothing is wrong with the sign-in. */
  credentials: Partial<Record<Protocol, MailCredentials>> | TokenProblem;
  oauthProvider?: OAuthProviderId;
  /** OAuth: the signed-in account's credential (the mailbox is each server's user name). */
  oauth?: { credentialId: string; account: string };
  allowUntrustedCertificates: boolean;
  /** SMTP signs in with its own password: a refused one points at `auth.smtpPassword`. */
  separateSmtpPassword: boolean;
  sendTestTo?: string;
  from: string;
  saved?: EmailSettingsRow;
  /** Each target's look-up, made once before the limits: the test connects to exactly this address. */
  resolved: Partial<Record<Protocol, Resolution>>;
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

  /** Checks the request and turns it into a test; throws `AppError` (MISSING_FIELD, PASSWORD_REQUIRED, NOT_CONFIGURED, OAUTH_NOT_CONNECTED, RATE_LIMITED…) when it cannot run. */
  async prepare(input: TestInput, caller: TestCaller): Promise<PreparedTest> {
    const saved = await this.savedSettings(caller.accountId);
    const targets: PreparedTest['targets'] =
      input.imap || input.smtp ? { ...(input.imap ? { imap: input.imap } : {}), ...(input.smtp ? { smtp: input.smtp } : {}) } : savedTargets(saved?.row);
    if (!targets.imap && !targets.smtp) {
      throw new AppError('MISSING_FIELD', 'Give the IMAP or SMTP server to test (nothing is saved for this account yet).', { field: 'imap' });
    }
    const auth = input.auth ?? savedAuth(saved?.row);
    const oauth = auth?.method === 'oauth' ? await this.signedInAccount(caller, auth, targets, saved?.row) : undefined;
    if (!auth) throw new AppError('MISSING_FIELD', 'Give the sign-in (auth) to test with; nothing is saved for this account yet.', { field: 'auth' });
    if (auth.method === 'password') checkPasswordTransport(targets, this.deps.allowPrivateNetworks);
    // Where a secret may go is decided before anything is counted, looked up or sent.
    if (auth.method === 'oauth') checkOAuthTargets(auth.provider, targets);
    const sources = auth.method === 'password' ? passwordSources(targets, auth, saved?.row, { allowUntrustedCertificates: input.allowUntrustedCertificates }) : {};

    const resolved = await this.checkRateLimits(caller, targets);

    let credentials: PreparedTest['credentials'];
    let separateSmtpPassword = false;
    if (auth.method === 'password') {
      const secret = (source: SecretSource | undefined): string =>
        (source === 'password' ? auth.password : source === 'smtpPassword' ? auth.smtpPassword : source === 'savedPassword' ? saved?.password : saved?.smtpPassword) ?? '';
      separateSmtpPassword = sources.smtp === 'smtpPassword' || (sources.smtp === 'savedSmtpPassword' && saved?.row.smtp_password_enc != null);
      credentials = {
        ...(targets.imap ? { imap: { kind: 'password', user: targets.imap.username, password: secret(sources.imap) } } : {}),
        ...(targets.smtp ? { smtp: { kind: 'password', user: targets.smtp.username, password: secret(sources.smtp) } } : {}),
      };
    } else {
      credentials = await this.oauthCredentials(oauth!, auth.provider, targets);
    }
    return {
      caller,
      targets,
      credentials,
      oauthProvider: auth.method === 'oauth' ? auth.provider : undefined,
      ...(oauth ? { oauth } : {}),
      // An access token goes only to the provider's own hosts: their certificate is always checked.
      allowUntrustedCertificates: auth.method !== 'oauth' && (input.allowUntrustedCertificates ?? saved?.row.allow_untrusted_tls === 1),
      separateSmtpPassword,
      sendTestTo: input.sendTestTo,
      from: input.email ?? saved?.row.email ?? targets.smtp?.username ?? '',
      saved: saved?.row,
      resolved,
    };
  }

  /**
   * Runs a prepared test; `onPhase` hears each phase as it finishes, `progress` hears phases start
   * and protocols end. When a mail server refuses an OAuth token that has not expired, the token
   * is refreshed once at once and that protocol tested again; a refused grant (`invalid_grant`)
   * marks the account `needs_reauth`. Never throws for a failed connection.
   */
  async run(test: PreparedTest, onPhase?: PhaseListener, progress: TestProgress = {}): Promise<TestAnswer> {
    const signal = AbortSignal.timeout(this.limits.timeoutMs);
    const common = {
      phaseTimeoutMs: this.limits.phaseTimeoutMs,
      greetingTimeoutMs: this.limits.greetingTimeoutMs,
      overallTimeoutMs: this.limits.timeoutMs,
      signal,
      ca: this.deps.ca,
      allowUntrustedCertificates: test.allowUntrustedCertificates,
      oauthProvider: test.oauthProvider,
    };
    const refreshOnce = once(() => this.refreshRefusedToken(test));
    const testOne = (protocol: Protocol, credentials: MailCredentials) => {
      const server = test.targets[protocol]!;
      const options = {
        ...common,
        onPhase: onPhase && ((phase: Phase) => onPhase(protocol, phase)),
        onPhaseStart: progress.onPhaseStart && ((name: PhaseName) => progress.onPhaseStart!(protocol, name)),
      };
      const net = pinnedResolver(this.deps.net, server.host, test.resolved[protocol]);
      return protocol === 'imap'
        ? testImap(net, server, credentials, options)
        : testSmtp(net, server, credentials, { ...options, sendTestTo: test.sendTestTo, from: test.from });
    };
    const runOne = async (protocol: Protocol): Promise<ProtocolResult | undefined> => {
      if (!test.targets[protocol]) return undefined;
      let result: ProtocolResult;
      if ('tokenError' in test.credentials) {
        result = tokenFailure(test.credentials, test.oauthProvider, onPhase && ((phase) => onPhase(protocol, phase)));
      } else {
        const credentials = test.credentials[protocol]!;
        result = await testOne(protocol, credentials);
        if (credentials.kind === 'oauth' && !result.ok && refusedTheToken(result.error)) {
          const renewed = await refreshOnce();
          result =
            'accessToken' in renewed
              ? await testOne(protocol, { ...credentials, accessToken: renewed.accessToken })
              : { ...result, error: tokenError(renewed, test.oauthProvider) };
        }
      }
      progress.onProtocol?.(protocol, result);
      return result;
    };
    const [imap, smtp] = await Promise.all([runOne('imap'), runOne('smtp')]);
    if (test.separateSmtpPassword && smtp?.error?.field === 'auth.password') smtp.error.field = 'auth.smtpPassword';
    sayOnce(imap, smtp, test);
    const answer: TestAnswer = { ok: [imap, smtp].every((result) => result === undefined || result.ok), ...(imap ? { imap } : {}), ...(smtp ? { smtp } : {}) };
    await this.record(test, answer);
    return answer;
  }

  /** A mail server refused the token: one forced refresh, shared by both protocols of this test. */
  private async refreshRefusedToken(test: PreparedTest): Promise<{ accessToken: string } | TokenProblem> {
    const name = test.oauthProvider === 'google' ? 'Google' : 'Microsoft';
    if (!test.oauth || !this.deps.tokens) return { tokenError: `The mail server refused the ${name} sign-in; sign in with ${name} again.` };
    try {
      return await this.deps.tokens.getAccessToken(test.oauth.credentialId, { forceRefresh: true });
    } catch (error) {
      const code = isAppError(error) ? error.code : undefined;
      this.deps.logger.info('refused oauth token could not be renewed', { errorCode: code });
      if (code === 'OAUTH_REAUTH_REQUIRED') {
        return {
          tokenError: `The mail server refused the ${name} sign-in and ${name} no longer accepts its grant (a changed password, or the app's access was removed). Sign in with ${name} again.`,
        };
      }
      if (code === 'OAUTH_PROVIDER_UNAVAILABLE') {
        return { tokenError: `The mail server refused the ${name} token, and ${name} could not be reached to renew it just now.`, temporary: true };
      }
      return { tokenError: isAppError(error) ? error.message : `The mail server refused the ${name} sign-in; sign in with ${name} again.` };
    }
  }

  /** The saved settings with their secrets, or undefined when nothing is saved yet. */
  private async savedSettings(accountId: string) {
    try {
      return await this.deps.settings.secrets(accountId);
    } catch (error) {
      if (isAppError(error) && error.code === 'NOT_CONFIGURED') return undefined;
      throw error;
    }
  }

  /**
   * The session's budget first: a refused request stops there, adding no row. Then each target is
   * looked up once and counted by the address it resolves to — every spelling of an address and
   * every name of a wildcard share one budget. A target that does not resolve (or only to blocked
   * addresses) is contacted by nobody, so it costs only the session's budget.
   */
  private async checkRateLimits(caller: TestCaller, targets: PreparedTest['targets']): Promise<PreparedTest['resolved']> {
    const { perSession, perHost } = this.limits;
    const refuse = (decision: RateLimitDecision) => {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      return new AppError('RATE_LIMITED', `Too many connection tests in a short time; try again in ${seconds} seconds.`);
    };
    const session = await this.deps.rateLimits.hit(`mail-test:session:${caller.sessionId}`, perSession.limit, perSession.windowMs);
    if (!session.allowed) throw refuse(session);
    const resolved: PreparedTest['resolved'] = {};
    await Promise.all(
      (['imap', 'smtp'] as const).map(async (protocol) => {
        const target = targets[protocol];
        if (target) resolved[protocol] = await resolveOnce(this.deps.net, target.host, this.limits.phaseTimeoutMs);
      }),
    );
    const addresses = new Set(Object.values(resolved).flatMap((r) => (r && !(r instanceof Error) ? [r.address] : [])));
    const decisions = await Promise.all([...addresses].map((address) => this.deps.rateLimits.hit(`mail-test:target:${address}`, perHost.limit, perHost.windowMs)));
    const refused = decisions.find((decision) => !decision.allowed);
    if (refused) throw refuse(refused);
    return resolved;
  }

  /** The signed-in account a test uses (see `resolveSignedInAccount`); Google's mailbox must be that account. */
  private async signedInAccount(
    caller: TestCaller,
    auth: { method: 'oauth'; provider: OAuthProviderId; account?: string },
    targets: PreparedTest['targets'],
    saved: EmailSettingsRow | undefined,
  ): Promise<{ credentialId: string; account: string }> {
    const credential = await resolveSignedInAccount(this.deps.db, caller.accountId, {
      provider: auth.provider,
      account: auth.account,
      sessionId: caller.sessionId,
      saved,
    });
    checkMailboxForAccount(auth.provider, credential.email, [targets.imap?.username ?? '', targets.smtp?.username ?? '']);
    return { credentialId: credential.id, account: credential.email };
  }

  private async oauthCredentials(
    oauth: { credentialId: string; account: string },
    provider: OAuthProviderId,
    targets: PreparedTest['targets'],
  ): Promise<PreparedTest['credentials']> {
    const name = provider === 'google' ? 'Google' : 'Microsoft';
    if (!this.deps.tokens) return { tokenError: `Sign-in with ${name} is not available on this server.` };
    try {
      const token = await this.deps.tokens.getAccessToken(oauth.credentialId);
      // The mailbox is the server's user name (a shared mailbox), opened with the signed-in account's token.
      const forServer = (server: MailServer | undefined): MailCredentials | undefined =>
        server && { kind: 'oauth', user: server.username || token.email, accessToken: token.accessToken, account: oauth.account };
      return { ...(targets.imap ? { imap: forServer(targets.imap) } : {}), ...(targets.smtp ? { smtp: forServer(targets.smtp) } : {}) };
    } catch (error) {
      // The token service's errors are sentences meant for people (reconnect, provider down).
      return {
        tokenError: isAppError(error) ? error.message : `The ${name} sign-in could not be renewed; sign in with ${name} again.`,
        ...(isAppError(error) && error.code === 'OAUTH_PROVIDER_UNAVAILABLE' ? { temporary: true } : {}),
      };
    }
  }

  /**
   * Logs and audits the outcome and hands it to the settings, which record it on the saved
   * account only when exactly the saved values were tested.
   */
  private async record(test: PreparedTest, answer: TestAnswer): Promise<void> {
    const { caller } = test;
    const at = new Date().toISOString();
    const outcome = (result: ProtocolResult | undefined): ProtocolOutcome | undefined =>
      result && { ok: result.ok, ...(result.error ? { code: result.error.code } : {}), at };
    const outcomes = { ...(answer.imap ? { imap: outcome(answer.imap) } : {}), ...(answer.smtp ? { smtp: outcome(answer.smtp) } : {}) };
    const codes = Object.fromEntries(Object.entries(outcomes).map(([protocol, value]) => [protocol, { ok: value!.ok, ...(value!.code ? { code: value!.code } : {}) }]));
    this.deps.logger.info('mail test', { ok: answer.ok, ...codes, imapHost: test.targets.imap?.host, smtpHost: test.targets.smtp?.host });
    await this.deps.audit?.record({
      actor: 'session',
      accountId: caller.accountId,
      action: 'mail.test',
      result: answer.ok ? 'ok' : 'error',
      detail: { ...codes, servers: testedServers(test) },
      requestId: caller.requestId,
    });
    const tested = testedCredentials(test);
    if (tested) {
      await this.deps.settings.recordTest(
        caller.accountId,
        { servers: test.targets, credentials: tested, allowUntrustedCertificates: test.allowUntrustedCertificates },
        outcomes,
      );
    }
  }
}

/** Which servers a test went to — host, port and the checked address connected to — never a secret. */
function testedServers(test: PreparedTest): Partial<Record<Protocol, { host: string; port: number; address?: string }>> {
  const servers: Partial<Record<Protocol, { host: string; port: number; address?: string }>> = {};
  for (const protocol of ['imap', 'smtp'] as const) {
    const target = test.targets[protocol];
    const resolution = test.resolved[protocol];
    if (target) servers[protocol] = { host: target.host, port: target.port, ...(resolution && !(resolution instanceof Error) ? { address: resolution.address } : {}) };
  }
  return servers;
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
  if (row.auth_method === 'password') return { method: 'password' };
  return { method: 'oauth', provider: row.oauth_provider!, ...(row.oauth_account ? { account: row.oauth_account } : {}) };
}

/** What the test signed in with, for recognising the same settings when they are saved. */
function testedCredentials(test: PreparedTest): TestedCredentials | undefined {
  if (test.oauthProvider) return test.oauth ? { method: 'oauth', provider: test.oauthProvider, account: test.oauth.account } : undefined;
  if ('tokenError' in test.credentials) return undefined;
  const { imap, smtp } = test.credentials;
  const password = imap?.kind === 'password' ? imap.password : smtp?.kind === 'password' ? smtp.password : undefined;
  if (password === undefined) return undefined;
  return { method: 'password', password, smtpPassword: smtp?.kind === 'password' ? smtp.password : password };
}

function reconnectSteps(provider: OAuthProviderId | undefined): string[] {
  const name = provider === 'google' ? 'Google' : 'Microsoft';
  return [`Sign in with ${name} again to renew the connection.`, 'Then run the test again.'];
}

/** Calls `work` at most once; later calls share its promise. */
function once<T>(work: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= work());
}

/** No token to test with: a grant that is gone (sign in again), or a provider that is not reachable now (try later). */
function tokenFailure(failure: TokenProblem, provider: OAuthProviderId | undefined, onPhase?: (phase: Phase) => void): ProtocolResult {
  const phase: Phase = { name: 'token', ok: false, ms: 0 };
  onPhase?.(phase);
  return { ok: false, phases: [phase], error: tokenError(failure, provider) };
}

/** Why no usable token could be had, for people. */
type TokenProblem = { tokenError: string; temporary?: boolean };

function tokenError(failure: TokenProblem, provider: OAuthProviderId | undefined): TestError {
  const name = provider === 'microsoft' ? 'Microsoft' : 'Google';
  return failure.temporary
    ? {
        code: 'TEMPORARY_FAILURE',
        message: failure.tokenError,
        steps: [`Nothing in your settings is wrong: ${name} could not be reached just now.`, 'Wait a minute and test again.'],
      }
    : { code: 'OAUTH_TOKEN_INVALID', message: failure.tokenError, field: 'auth.provider', steps: reconnectSteps(provider) };
}

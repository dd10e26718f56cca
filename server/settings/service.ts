import type { Kysely } from 'kysely';
import type { Database, EmailSettingsRow, OAuthCredentialRow, OAuthProviderId } from '../store/database.js';
import type { Keyring } from '../crypto/keyring.js';
import { AppError } from '../contract/errors.js';
import type { HostCredentials } from '../contract/credentials.js';
import { checkServerAddresses } from './address-rules.js';
import { checkOAuthTargets, checkPasswordTransport, passwordSources } from './secret-binding.js';
import type { MailServer } from '../contract/mail-server.js';
import type { SettingsInput, SettingsView } from '../contract/settings.js';
import { PENDING_TEST_TTL_MS, protocolFingerprints, type ProtocolFingerprints, type TestedConnection, type TestedCredentials } from './test-fingerprint.js';
import { accountStatus, lastTestOf, savedOutcomes, type ProtocolOutcome } from './status.js';
import { checkMailboxForAccount, resolveSignedInAccount, savedCredential } from './account.js';
import { changeAccount, type AccountChanges } from '../store/changes.js';

/** Hands out a usable access token for an OAuth connection, refreshing it when needed. */
export interface AccessTokenSource {
  /** `forceRefresh`: the mail server refused the current token although it has not expired. */
  getAccessToken(
    credentialId: string,
    options?: { forceRefresh?: boolean; priority?: 'host' | 'background'; recordUse?: boolean },
  ): Promise<{ accessToken: string; expiresAt: number; email: string }>;
  /** Revokes the grant at the provider where it can; never throws. */
  revoke?(credentialId: string): Promise<void>;
}

export interface SettingsServiceOptions {
  db: Kysely<Database>;
  keyring: Keyring;
  /** On-premise mode: plaintext connections and private addresses are allowed. */
  allowPrivateNetworks: boolean;
  tokens?: AccessTokenSource;
  /** Account events: every change runs through it so that status changes reach the host (server/events). */
  events?: AccountChanges;
}

/** imapflow- and nodemailer-ready options for the host's own mail fetcher. */
export type { HostCredentials };

const PASSWORD_COLUMN = 'email_settings.password_enc';
const SMTP_PASSWORD_COLUMN = 'email_settings.smtp_password_enc';

export const notConfigured = () =>
  new AppError('NOT_CONFIGURED', 'No mailbox is connected to this account yet.');

/**
 * Reads and writes one account's mailbox settings. Secrets go in encrypted and never come out
 * except through `credentials()`, which only the host backend can call.
 */
export class SettingsService {
  private readonly db: Kysely<Database>;

  constructor(private readonly options: SettingsServiceOptions) {
    this.db = options.db;
  }

  async get(accountId: string): Promise<SettingsView> {
    const row = await this.findRow(accountId);
    if (!row) throw notConfigured();
    return toView(row, await savedCredential(this.db, row));
  }

  /**
   * Saves the settings. `caller.sessionId` picks the signed-in account when `auth.account` is
   * left out (the session's latest completed sign-in). A protocol whose host, port, security, user
   * name or secret changed loses its test outcome (status `untested`) unless the latest test of
   * this account tested exactly the new values.
   */
  async put(accountId: string, input: SettingsInput, caller: { sessionId?: string } = {}): Promise<SettingsView> {
    if (input.auth.method === 'password') checkPasswordTransport(input, this.options.allowPrivateNetworks);
    checkServerAddresses(input, this.options.allowPrivateNetworks);
    if (input.auth.method === 'oauth') checkOAuthTargets(input.auth.provider, input);
    const now = Date.now();
    return changeAccount(this.options.events, this.db, accountId, 'settings.saved', async (trx) => {
      const existing = await trx.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      // A saved password stays with the servers it was saved with (PASSWORD_REQUIRED otherwise).
      if (input.auth.method === 'password') passwordSources(input, input.auth, existing, { allowUntrustedCertificates: input.allowUntrustedCertificates });
      let passwordEnc: string | null = null;
      let smtpPasswordEnc: string | null = null;
      let oauthProvider: OAuthProviderId | null = null;
      let oauthAccount: string | null = null;
      if (input.auth.method === 'password') {
        passwordEnc = input.auth.password
          ? this.options.keyring.encrypt(input.auth.password, { accountId, column: PASSWORD_COLUMN })
          : existing?.auth_method === 'password' ? existing.password_enc : null;
        if (!passwordEnc) {
          throw new AppError('PASSWORD_REQUIRED', 'Enter the mailbox password (or app password).', { field: 'auth.password' });
        }
        smtpPasswordEnc = input.auth.smtpPassword
          ? this.options.keyring.encrypt(input.auth.smtpPassword, { accountId, column: SMTP_PASSWORD_COLUMN })
          : input.auth.password ? null : existing?.smtp_password_enc ?? null;
      } else {
        oauthProvider = input.auth.provider;
        const credential = await resolveSignedInAccount(trx, accountId, {
          provider: oauthProvider,
          account: input.auth.account,
          sessionId: caller.sessionId,
          saved: existing,
        });
        checkMailboxForAccount(oauthProvider, credential.email, [input.imap.username, input.smtp.username]);
        oauthAccount = credential.email;
      }
      const values = {
        email: input.email,
        imap_host: input.imap.host,
        imap_port: input.imap.port,
        imap_security: input.imap.security,
        imap_username: input.imap.username,
        smtp_host: input.smtp.host,
        smtp_port: input.smtp.port,
        smtp_security: input.smtp.security,
        smtp_username: input.smtp.username,
        auth_method: input.auth.method,
        oauth_provider: oauthProvider,
        oauth_account: oauthAccount,
        password_enc: passwordEnc,
        smtp_password_enc: smtpPasswordEnc,
        from_name: input.fromName === undefined ? existing?.from_name ?? null : input.fromName || null,
        check_interval_seconds: input.checkIntervalSeconds ?? existing?.check_interval_seconds ?? 300,
        delete_after_processing: boolFlag(input.deleteAfterProcessing, existing?.delete_after_processing),
        allow_untrusted_tls: boolFlag(input.allowUntrustedCertificates, existing?.allow_untrusted_tls),
        updated_at: now,
      };
      const tests = await this.carryOverTests(trx, accountId, existing, { ...values, account_id: accountId }, now);
      if (existing) {
        await trx.updateTable('email_settings').set({ ...values, ...tests }).where('account_id', '=', accountId).execute();
      } else {
        await trx
          .insertInto('email_settings')
          .values({ account_id: accountId, ...values, created_at: now, ...tests })
          // Another instance may create the row at the same moment: the later save wins, as with an update.
          .onConflict((oc) => oc.column('account_id').doUpdateSet({ ...values, ...tests }))
          .execute();
      }
      const row = await trx.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
      return toView(row, await savedCredential(trx, row));
    });
  }

  /** Forgets the mailbox: settings, OAuth connections (revoked first) and pending flows. */
  async remove(accountId: string): Promise<{ deleted: boolean }> {
    const credentials = await this.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', accountId).execute();
    for (const { id } of credentials) await this.options.tokens?.revoke?.(id);
    return changeAccount(this.options.events, this.db, accountId, 'account.deleted', async (trx) => {
      const settings = await trx.deleteFrom('email_settings').where('account_id', '=', accountId).executeTakeFirst();
      const creds = await trx.deleteFrom('oauth_credentials').where('account_id', '=', accountId).executeTakeFirst();
      await trx.deleteFrom('oauth_flows').where('account_id', '=', accountId).execute();
      await trx.deleteFrom('connection_tests').where('account_id', '=', accountId).execute();
      return { deleted: Number(settings.numDeletedRows) + Number(creds.numDeletedRows) > 0 };
    });
  }

  /**
   * Records a connection test. Each protocol's outcome is written on the saved settings only when
   * the test signed in to exactly the saved values (same fingerprint, compared now, inside the
   * transaction) — a test of a typed but unsaved password or of other servers never changes the
   * saved account's status. The test is also kept briefly as this account's latest test, so that
   * saving exactly the tested values right after records it.
   */
  async recordTest(
    accountId: string,
    tested: { servers: { imap?: MailServer; smtp?: MailServer }; credentials: TestedCredentials } & TestedConnection,
    outcomes: { imap?: ProtocolOutcome; smtp?: ProtocolOutcome },
  ): Promise<{ recorded: Array<'imap' | 'smtp'> }> {
    const fingerprints = protocolFingerprints(this.options.keyring, accountId, tested.servers, tested.credentials, {
      allowUntrustedCertificates: tested.allowUntrustedCertificates === true,
    });
    return changeAccount(this.options.events, this.db, accountId, 'test.recorded', async (trx) => {
      const pending = { imap: tagged(outcomes.imap, fingerprints.imap), smtp: tagged(outcomes.smtp, fingerprints.smtp) };
      const values = {
        fingerprint: `${fingerprints.imap ?? '-'}.${fingerprints.smtp ?? '-'}`,
        ok: Object.values(outcomes).every((outcome) => outcome?.ok !== false) ? (1 as const) : (0 as const),
        result_json: JSON.stringify(pending),
        at: Date.now(),
      };
      await trx
        .insertInto('connection_tests')
        .values({ account_id: accountId, ...values })
        .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
        .execute();
      const row = await trx.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      if (!row) return { recorded: [] };
      const saved = this.savedFingerprints(row);
      const next = savedOutcomes(row);
      const recorded: Array<'imap' | 'smtp'> = [];
      for (const protocol of ['imap', 'smtp'] as const) {
        const outcome = outcomes[protocol];
        if (!outcome || !fingerprints[protocol] || fingerprints[protocol] !== saved[protocol]) continue;
        next[protocol] = outcome;
        recorded.push(protocol);
      }
      if (recorded.length > 0) await trx.updateTable('email_settings').set(testColumns(next)).where('account_id', '=', accountId).execute();
      return { recorded };
    });
  }

  /**
   * The test outcomes the new values keep: a protocol whose saved values did not change keeps
   * its outcome; a changed one takes the account's latest test if that tested exactly the new
   * values (within 30 minutes), else it is untested. The latest test is used up by the save, so
   * an older test can never bring `connected` back later.
   */
  private async carryOverTests(
    trx: Kysely<Database>,
    accountId: string,
    existing: EmailSettingsRow | undefined,
    next: Omit<EmailSettingsRow, 'created_at' | 'last_test_json' | 'last_test_at' | 'last_test_ok'>,
    now: number,
  ): Promise<{ last_test_json: string | null; last_test_at: number | null; last_test_ok: 0 | 1 | null }> {
    const before = existing ? this.savedFingerprints(existing) : {};
    const after = this.savedFingerprints(next as EmailSettingsRow);
    const kept = existing ? savedOutcomes(existing) : {};
    const pendingRow = await trx.selectFrom('connection_tests').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    const pending =
      pendingRow && now - pendingRow.at <= PENDING_TEST_TTL_MS
        ? (JSON.parse(pendingRow.result_json) as Partial<Record<'imap' | 'smtp', ProtocolOutcome & { fingerprint?: string }>>)
        : {};
    const outcomes: { imap?: ProtocolOutcome; smtp?: ProtocolOutcome } = {};
    for (const protocol of ['imap', 'smtp'] as const) {
      const candidate = pending[protocol];
      if (after[protocol] && before[protocol] === after[protocol] && kept[protocol]) outcomes[protocol] = kept[protocol];
      else if (after[protocol] && candidate?.fingerprint === after[protocol]) outcomes[protocol] = untagged(candidate);
    }
    if (pendingRow) await trx.deleteFrom('connection_tests').where('account_id', '=', accountId).execute();
    return testColumns(outcomes);
  }

  /** The fingerprints of exactly what the row's settings sign in to (see `protocolFingerprints`). */
  private savedFingerprints(row: EmailSettingsRow): ProtocolFingerprints {
    let credentials: TestedCredentials | undefined;
    if (row.auth_method === 'oauth') {
      if (row.oauth_provider && row.oauth_account) credentials = { method: 'oauth', provider: row.oauth_provider, account: row.oauth_account };
    } else {
      const { password, smtpPassword } = this.decryptPasswords(row);
      if (password) credentials = { method: 'password', password, smtpPassword: smtpPassword ?? password };
    }
    if (!credentials) return {};
    const server = (prefix: 'imap' | 'smtp'): MailServer => ({
      host: row[`${prefix}_host`],
      port: row[`${prefix}_port`],
      security: row[`${prefix}_security`],
      username: row[`${prefix}_username`],
    });
    return protocolFingerprints(this.options.keyring, row.account_id, { imap: server('imap'), smtp: server('smtp') }, credentials, {
      allowUntrustedCertificates: row.allow_untrusted_tls === 1,
    });
  }

  /** The saved password(s), decrypted — for server-side use only (connection tests, host credentials). */
  async secrets(accountId: string): Promise<{ row: EmailSettingsRow; password?: string; smtpPassword?: string }> {
    const row = await this.findRow(accountId);
    if (!row) throw notConfigured();
    return { row, ...this.decryptPasswords(row) };
  }

  /** The row's password, and the SMTP password (the same one unless a separate one is saved). */
  private decryptPasswords(row: EmailSettingsRow): { password?: string; smtpPassword?: string } {
    const accountId = row.account_id;
    const password = row.password_enc ? this.options.keyring.decrypt(row.password_enc, { accountId, column: PASSWORD_COLUMN }) : undefined;
    const smtpPassword = row.smtp_password_enc
      ? this.options.keyring.decrypt(row.smtp_password_enc, { accountId, column: SMTP_PASSWORD_COLUMN })
      : password;
    return { password, smtpPassword };
  }

  /**
   * Options for the host's own fetcher: the saved mailbox user names with the saved password, or
   * with a token of exactly the saved signed-in account. `forceRefresh`: the fetcher's login with
   * the last token was refused, so a new one is fetched at once (and a revoked grant answers 409).
   */
  async credentials(accountId: string, options: { forceRefresh?: boolean } = {}): Promise<HostCredentials> {
    const { row, password, smtpPassword } = await this.secrets(accountId);
    // An access token goes only to the provider's own hosts: their certificate is always checked.
    const untrusted = row.allow_untrusted_tls === 1 && row.auth_method === 'password' ? { tls: { rejectUnauthorized: false as const } } : {};
    const imapBase = {
      host: row.imap_host,
      port: row.imap_port,
      secure: row.imap_security === 'tls',
      ...(row.imap_security === 'starttls' ? { doSTARTTLS: true } : {}),
      ...untrusted,
    };
    const smtpBase = {
      host: row.smtp_host,
      port: row.smtp_port,
      secure: row.smtp_security === 'tls',
      ...(row.smtp_security === 'starttls' ? { requireTLS: true } : {}),
      ...untrusted,
    };
    if (row.auth_method === 'password') {
      return {
        imap: { ...imapBase, auth: { user: row.imap_username, pass: password ?? '' } },
        smtp: { ...smtpBase, auth: { user: row.smtp_username, pass: smtpPassword ?? '' } },
      };
    }
    const credential = await savedCredential(this.db, row);
    if (!credential || !this.options.tokens) {
      throw new AppError('OAUTH_NOT_CONNECTED', 'The OAuth connection for this mailbox is missing; reconnect it in the widget.');
    }
    const token = await this.options.tokens.getAccessToken(credential.id, { forceRefresh: options.forceRefresh === true, priority: 'host', recordUse: true });
    // The mailbox is the saved user name (a shared mailbox differs from the signed-in account).
    return {
      imap: { ...imapBase, auth: { user: row.imap_username || token.email, accessToken: token.accessToken } },
      smtp: { ...smtpBase, auth: { type: 'OAuth2', user: row.smtp_username || token.email, accessToken: token.accessToken } },
      expiresAt: new Date(token.expiresAt).toISOString(),
    };
  }

  private findRow(accountId: string) {
    return this.db.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  }
}

function boolFlag(value: boolean | undefined, existing: 0 | 1 | undefined): 0 | 1 {
  if (value === undefined) return existing ?? 0;
  return value ? 1 : 0;
}

export function providerName(provider: OAuthProviderId): string {
  return provider === 'google' ? 'Google' : 'Microsoft';
}

function toView(row: EmailSettingsRow, credential: OAuthCredentialRow | undefined): SettingsView {
  const needsReauth = credential?.status === 'needs_reauth';
  const auth: SettingsView['auth'] =
    row.auth_method === 'password'
      ? { method: 'password', hasPassword: row.password_enc !== null, hasSmtpPassword: row.smtp_password_enc !== null }
      : {
          method: 'oauth',
          provider: row.oauth_provider!,
          account: credential?.email ?? row.oauth_account ?? row.imap_username,
          connected: credential !== undefined && !needsReauth,
          ...(credential ? { email: credential.email } : {}),
          needsReauthorization: needsReauth || credential === undefined,
        };
  return {
    accountId: row.account_id,
    email: row.email,
    imap: { host: row.imap_host, port: row.imap_port, security: row.imap_security, username: row.imap_username },
    smtp: { host: row.smtp_host, port: row.smtp_port, security: row.smtp_security, username: row.smtp_username },
    auth,
    fromName: row.from_name,
    checkIntervalSeconds: row.check_interval_seconds,
    deleteAfterProcessing: row.delete_after_processing === 1,
    allowUntrustedCertificates: row.allow_untrusted_tls === 1,
    status: accountStatus(row, credential),
    lastTest: lastTestOf(savedOutcomes(row)),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** An outcome with the fingerprint of what it tested (kept only in the short-lived latest-test row). */
function tagged(outcome: ProtocolOutcome | undefined, fingerprint: string | undefined) {
  return outcome && fingerprint ? { ...outcome, fingerprint } : undefined;
}

function untagged(outcome: ProtocolOutcome & { fingerprint?: string }): ProtocolOutcome {
  const { fingerprint: _fingerprint, ...rest } = outcome;
  return rest;
}

/** The columns that hold the saved values' test outcomes. */
function testColumns(outcomes: { imap?: ProtocolOutcome; smtp?: ProtocolOutcome }) {
  const lastTest = lastTestOf(outcomes);
  return {
    last_test_json: lastTest ? JSON.stringify(lastTest) : null,
    last_test_at: lastTest ? Date.parse(lastTest.at) : null,
    last_test_ok: lastTest ? (lastTest.ok ? (1 as const) : (0 as const)) : null,
  };
}

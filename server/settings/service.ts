import type { Kysely } from 'kysely';
import type { Database, EmailSettingsRow, OAuthCredentialRow, OAuthProviderId } from '../store/database.js';
import type { Keyring } from '../crypto/keyring.js';
import { ApiError } from '../http/errors.js';
import type { LastTest, MailServer, SettingsInput, SettingsView } from './schema.js';
import { connectionFingerprint, PENDING_TEST_TTL_MS, type TestedCredentials } from './test-fingerprint.js';

/** Hands out a usable access token for an OAuth connection, refreshing it when needed. */
export interface AccessTokenSource {
  getAccessToken(credentialId: string): Promise<{ accessToken: string; expiresAt: number; email: string }>;
  /** Revokes the grant at the provider where it can; never throws. */
  revoke?(credentialId: string): Promise<void>;
}

export interface SettingsServiceOptions {
  db: Kysely<Database>;
  keyring: Keyring;
  /** On-premise mode: plaintext connections and private addresses are allowed. */
  allowPrivateNetworks: boolean;
  tokens?: AccessTokenSource;
}

/** imapflow- and nodemailer-ready options for the host's own mail fetcher. */
export interface HostCredentials {
  imap: {
    host: string;
    port: number;
    secure: boolean;
    doSTARTTLS?: boolean;
    servername?: string;
    auth: { user: string; pass: string } | { user: string; accessToken: string };
    tls?: { rejectUnauthorized: false };
  };
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    requireTLS?: boolean;
    auth: { user: string; pass: string } | { type: 'OAuth2'; user: string; accessToken: string };
    tls?: { rejectUnauthorized: false };
  };
  expiresAt?: string;
}

const PASSWORD_COLUMN = 'email_settings.password_enc';
const SMTP_PASSWORD_COLUMN = 'email_settings.smtp_password_enc';

export const notConfigured = () =>
  new ApiError(404, 'NOT_CONFIGURED', 'No mailbox is connected to this account yet.');

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
    const credential = row.auth_method === 'oauth' ? await this.findCredential(accountId, row.oauth_provider!) : undefined;
    return toView(row, credential);
  }

  async put(accountId: string, input: SettingsInput): Promise<SettingsView> {
    this.refuseInsecure(input);
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
      let passwordEnc: string | null = null;
      let smtpPasswordEnc: string | null = null;
      let oauthProvider: OAuthProviderId | null = null;
      if (input.auth.method === 'password') {
        passwordEnc = input.auth.password
          ? this.options.keyring.encrypt(input.auth.password, { accountId, column: PASSWORD_COLUMN })
          : existing?.auth_method === 'password' ? existing.password_enc : null;
        if (!passwordEnc) {
          throw new ApiError(400, 'PASSWORD_REQUIRED', 'Enter the mailbox password (or app password).', 'auth.password');
        }
        smtpPasswordEnc = input.auth.smtpPassword
          ? this.options.keyring.encrypt(input.auth.smtpPassword, { accountId, column: SMTP_PASSWORD_COLUMN })
          : input.auth.password ? null : existing?.smtp_password_enc ?? null;
      } else {
        oauthProvider = input.auth.provider;
        const credential = await trx
          .selectFrom('oauth_credentials')
          .select('id')
          .where('account_id', '=', accountId)
          .where('provider', '=', oauthProvider)
          .executeTakeFirst();
        if (!credential) {
          throw new ApiError(
            409,
            'OAUTH_NOT_CONNECTED',
            `Sign in with ${providerName(oauthProvider)} first; no ${providerName(oauthProvider)} connection exists for this account.`,
            'auth.provider',
          );
        }
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
        password_enc: passwordEnc,
        smtp_password_enc: smtpPasswordEnc,
        from_name: input.fromName === undefined ? existing?.from_name ?? null : input.fromName || null,
        check_interval_seconds: input.checkIntervalSeconds ?? existing?.check_interval_seconds ?? 300,
        delete_after_processing: boolFlag(input.deleteAfterProcessing, existing?.delete_after_processing),
        allow_untrusted_tls: boolFlag(input.allowUntrustedCertificates, existing?.allow_untrusted_tls),
        updated_at: now,
      };
      const serverChanged =
        existing &&
        (existing.imap_host !== values.imap_host ||
          existing.imap_port !== values.imap_port ||
          existing.smtp_host !== values.smtp_host ||
          existing.smtp_port !== values.smtp_port ||
          existing.auth_method !== values.auth_method);
      const cleared = { last_test_json: null, last_test_at: null, last_test_ok: null };
      // A test of exactly these settings just before saving them counts as their last test.
      const adopted = await this.adoptPendingTest(trx, accountId, input, existing, now);
      if (existing) {
        await trx
          .updateTable('email_settings')
          .set({
            ...values,
            // A test of other servers says nothing about these ones.
            ...(adopted ?? (serverChanged ? cleared : {})),
          })
          .where('account_id', '=', accountId)
          .execute();
      } else {
        await trx
          .insertInto('email_settings')
          .values({ account_id: accountId, ...values, created_at: now, ...(adopted ?? cleared) })
          // Another instance may create the row at the same moment: the later save wins, as with an update.
          .onConflict((oc) => oc.column('account_id').doUpdateSet({ ...values, ...(adopted ?? cleared) }))
          .execute();
      }
      const row = await trx.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
      const credential = oauthProvider ? await this.findCredential(accountId, oauthProvider, trx) : undefined;
      return toView(row, credential);
    });
  }

  /** Forgets the mailbox: settings, OAuth connections (revoked first) and pending flows. */
  async remove(accountId: string): Promise<{ deleted: boolean }> {
    const credentials = await this.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', accountId).execute();
    for (const { id } of credentials) await this.options.tokens?.revoke?.(id);
    return this.db.transaction().execute(async (trx) => {
      const settings = await trx.deleteFrom('email_settings').where('account_id', '=', accountId).executeTakeFirst();
      const creds = await trx.deleteFrom('oauth_credentials').where('account_id', '=', accountId).executeTakeFirst();
      await trx.deleteFrom('oauth_flows').where('account_id', '=', accountId).execute();
      await trx.deleteFrom('connection_tests').where('account_id', '=', accountId).execute();
      return { deleted: Number(settings.numDeletedRows) + Number(creds.numDeletedRows) > 0 };
    });
  }

  /** Records the outcome of a connection test, shown afterwards by `get()`. */
  async recordTest(accountId: string, lastTest: LastTest): Promise<void> {
    await this.db
      .updateTable('email_settings')
      .set({ last_test_json: JSON.stringify(lastTest), last_test_at: Date.parse(lastTest.at), last_test_ok: lastTest.ok ? 1 : 0 })
      .where('account_id', '=', accountId)
      .execute();
  }

  /**
   * Keeps the outcome of a test of settings that are not (yet) the saved ones — as a keyed
   * fingerprint of servers and credentials, never the credentials — so that saving exactly those
   * settings soon after records it.
   */
  async rememberTest(
    accountId: string,
    servers: { imap: MailServer; smtp: MailServer },
    credentials: TestedCredentials,
    lastTest: LastTest,
  ): Promise<void> {
    const fingerprint = connectionFingerprint(this.options.keyring, accountId, servers, credentials);
    const values = { fingerprint, ok: lastTest.ok ? (1 as const) : (0 as const), result_json: JSON.stringify(lastTest), at: Date.parse(lastTest.at) };
    await this.db
      .insertInto('connection_tests')
      .values({ account_id: accountId, ...values })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
      .execute();
  }

  private async adoptPendingTest(
    trx: Kysely<Database>,
    accountId: string,
    input: SettingsInput,
    existing: EmailSettingsRow | undefined,
    now: number,
  ): Promise<{ last_test_json: string; last_test_at: number; last_test_ok: 0 | 1 } | undefined> {
    const pending = await trx.selectFrom('connection_tests').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    if (!pending || now - pending.at > PENDING_TEST_TTL_MS) return undefined;
    let credentials: TestedCredentials;
    if (input.auth.method === 'oauth') {
      credentials = { method: 'oauth', provider: input.auth.provider };
    } else {
      const saved = existing?.auth_method === 'password' ? this.decryptPasswords(existing) : {};
      const password = input.auth.password ?? saved.password;
      if (!password) return undefined;
      const smtpPassword = input.auth.smtpPassword ?? (input.auth.password ? password : saved.smtpPassword ?? password);
      credentials = { method: 'password', password, smtpPassword };
    }
    const fingerprint = connectionFingerprint(this.options.keyring, accountId, input, credentials);
    if (fingerprint !== pending.fingerprint) return undefined;
    return { last_test_json: pending.result_json, last_test_at: pending.at, last_test_ok: pending.ok };
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

  async credentials(accountId: string): Promise<HostCredentials> {
    const { row, password, smtpPassword } = await this.secrets(accountId);
    const untrusted = row.allow_untrusted_tls === 1 ? { tls: { rejectUnauthorized: false as const } } : {};
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
    const credential = await this.findCredential(accountId, row.oauth_provider!);
    if (!credential || !this.options.tokens) {
      throw new ApiError(409, 'OAUTH_NOT_CONNECTED', 'The OAuth connection for this mailbox is missing; reconnect it in the widget.');
    }
    const token = await this.options.tokens.getAccessToken(credential.id);
    return {
      imap: { ...imapBase, auth: { user: token.email, accessToken: token.accessToken } },
      smtp: { ...smtpBase, auth: { type: 'OAuth2', user: token.email, accessToken: token.accessToken } },
      expiresAt: new Date(token.expiresAt).toISOString(),
    };
  }

  private refuseInsecure(input: SettingsInput): void {
    if (this.options.allowPrivateNetworks || input.auth.method !== 'password') return;
    for (const protocol of ['imap', 'smtp'] as const) {
      if (input[protocol].security === 'none') {
        throw new ApiError(
          400,
          'INSECURE_CONNECTION',
          `Sending a password over an unencrypted ${protocol.toUpperCase()} connection is not allowed; choose TLS or STARTTLS.`,
          `${protocol}.security`,
        );
      }
    }
  }

  private findRow(accountId: string) {
    return this.db.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  }

  private findCredential(accountId: string, provider: OAuthProviderId, db: Kysely<Database> = this.db) {
    return db
      .selectFrom('oauth_credentials')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('provider', '=', provider)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
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
  const lastTest = row.last_test_json ? (JSON.parse(row.last_test_json) as LastTest) : null;
  const needsReauth = credential?.status === 'needs_reauth';
  const auth: SettingsView['auth'] =
    row.auth_method === 'password'
      ? { method: 'password', hasPassword: row.password_enc !== null, hasSmtpPassword: row.smtp_password_enc !== null }
      : {
          method: 'oauth',
          provider: row.oauth_provider!,
          connected: credential !== undefined && !needsReauth,
          ...(credential ? { email: credential.email } : {}),
          needsReauthorization: needsReauth || credential === undefined,
        };
  const status: SettingsView['status'] =
    auth.method === 'oauth' && auth.needsReauthorization ? 'needs_reauth' : !lastTest ? 'untested' : lastTest.ok ? 'connected' : 'failing';
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
    status,
    lastTest,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

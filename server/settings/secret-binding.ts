import { AppError } from '../contract/errors.js';
import type { Protocol } from '../contract/codes.js';
import { sameHost } from '../net/index.js';
import type { EmailSettingsRow, OAuthProviderId } from '../store/database.js';
import type { MailServer } from '../contract/mail-server.js';
import { isOAuthMailHost, oauthMailHosts } from './oauth-hosts.js';

/** The servers a request names, per protocol (a `POST /test` may name only one). */
export type MailTargets = Partial<Record<Protocol, MailServer>>;

/** Where each protocol's password comes from: the request, or the secret saved with that server. */
export type SecretSource = 'password' | 'smtpPassword' | 'savedPassword' | 'savedSmtpPassword';

/** The server a protocol's saved secret was saved with. */
export function savedServer(row: EmailSettingsRow, protocol: Protocol): MailServer {
  return {
    host: row[`${protocol}_host`],
    port: row[`${protocol}_port`],
    security: row[`${protocol}_security`],
    username: row[`${protocol}_username`],
  };
}

/** How a request would connect beyond the server's own fields. */
export interface TargetConnection {
  /** Certificate checks off (undefined: as saved). */
  allowUntrustedCertificates?: boolean;
}

/**
 * True when `target` is the server `protocol`'s secret was saved with: same host (normalised), port
 * and user name, reached no less safely — not in plaintext when it was saved encrypted, and not
 * with certificate checks turned off when they were on (whoever answers at that address could
 * otherwise take the password: the name is only proven by a checked certificate).
 */
export function isSavedServer(row: EmailSettingsRow, protocol: Protocol, target: MailServer, connection: TargetConnection = {}): boolean {
  const saved = savedServer(row, protocol);
  const weaker = (target.security === 'none' && saved.security !== 'none') || (connection.allowUntrustedCertificates === true && row.allow_untrusted_tls !== 1);
  return sameHost(saved.host, target.host) && saved.port === target.port && saved.username === target.username && !weaker;
}

/**
 * The one rule for saved passwords, used by `POST /test` and `PUT /settings` before anything is
 * sent or saved: a password in the request goes where the request says; a saved password (or
 * SMTP password) only to the host, port and user name it was saved with, and no less safely
 * (`connection`: certificate checks as requested). A protocol that names
 * another server and brings no password is `400 PASSWORD_REQUIRED` (field `auth.password` for
 * IMAP, `auth.smtpPassword` for SMTP) — otherwise anyone holding a session could have the saved
 * secret sent to a server of their choosing.
 *
 * @example
 * const sources = passwordSources({ imap: input.imap }, input.auth, savedRow); // { imap: 'savedPassword' }
 */
export function passwordSources(
  targets: MailTargets,
  auth: { password?: string; smtpPassword?: string },
  saved: EmailSettingsRow | undefined,
  connection: TargetConnection = {},
): Partial<Record<Protocol, SecretSource>> {
  const hasSaved = saved?.auth_method === 'password' && saved.password_enc !== null;
  const sources: Partial<Record<Protocol, SecretSource>> = {};
  if (targets.imap) {
    if (auth.password) sources.imap = 'password';
    else if (hasSaved && isSavedServer(saved, 'imap', targets.imap, connection)) sources.imap = 'savedPassword';
    else throw passwordRequired('imap', hasSaved);
  }
  if (targets.smtp) {
    if (auth.smtpPassword) sources.smtp = 'smtpPassword';
    else if (auth.password) sources.smtp = 'password';
    else if (hasSaved && isSavedServer(saved, 'smtp', targets.smtp, connection)) sources.smtp = 'savedSmtpPassword';
    else throw passwordRequired('smtp', hasSaved);
  }
  return sources;
}

function passwordRequired(protocol: Protocol, hasSaved: boolean): AppError {
  const name = protocol.toUpperCase();
  const message = hasSaved
    ? `The saved password only goes to the ${name} server it was saved with, as safely as it was saved (encrypted, certificate checked); enter the password for this ${name} server.`
    : protocol === 'imap'
      ? 'Enter the mailbox password (or app password).'
      : 'Enter the password for the SMTP server.';
  return new AppError('PASSWORD_REQUIRED', message, { field: protocol === 'imap' ? 'auth.password' : 'auth.smtpPassword', status: 400 });
}

/**
 * The one rule for passwords over plaintext: outside on-premise mode, a password never goes over
 * `security: "none"` — `400 INSECURE_CONNECTION` (field `<protocol>.security`). For saving
 * settings and for connection tests alike.
 */
export function checkPasswordTransport(targets: MailTargets, allowPrivateNetworks: boolean): void {
  if (allowPrivateNetworks) return;
  for (const protocol of ['imap', 'smtp'] as const) {
    if (targets[protocol]?.security === 'none') {
      throw new AppError(
        'INSECURE_CONNECTION',
        `Sending a password over an unencrypted ${protocol.toUpperCase()} connection is not allowed; choose TLS or STARTTLS.`,
        { field: `${protocol}.security` },
      );
    }
  }
}

/**
 * The one rule for OAuth access tokens: they go only to the provider's own mail hosts
 * (`oauth-mail-hosts.json`, national clouds included) and only over `tls` or `starttls`, whatever
 * mode the server runs in. `400 OAUTH_HOST_MISMATCH` (field `<protocol>.host`) or
 * `400 INSECURE_CONNECTION` (field `<protocol>.security`).
 */
export function checkOAuthTargets(provider: OAuthProviderId, targets: MailTargets): void {
  const name = provider === 'google' ? 'Google' : 'Microsoft';
  for (const protocol of ['imap', 'smtp'] as const) {
    const target = targets[protocol];
    if (!target) continue;
    if (!isOAuthMailHost(provider, protocol, target.host)) {
      throw new AppError(
        'OAUTH_HOST_MISMATCH',
        `A ${name} sign-in is only sent to ${name}'s own ${protocol.toUpperCase()} servers (${oauthMailHosts(provider, protocol).join(', ')}), not to ${target.host}.`,
        { field: `${protocol}.host`, status: 400 },
      );
    }
    if (target.security === 'none') {
      throw new AppError(
        'INSECURE_CONNECTION',
        `A ${name} sign-in is never sent over an unencrypted ${protocol.toUpperCase()} connection; choose TLS or STARTTLS.`,
        { field: `${protocol}.security`, status: 400 },
      );
    }
  }
}

import type { Keyring } from '../crypto/keyring.js';
import type { OAuthProviderId } from '../store/database.js';
import type { MailServer } from '../contract/mail-server.js';

/** The credentials a connection test signed in with, as far as "same settings" is concerned. */
export type TestedCredentials =
  | { method: 'password'; password: string; smtpPassword: string }
  /** `account`: the signed-in account whose token was used (the mailbox is the server's user name). */
  | { method: 'oauth'; provider: OAuthProviderId; account: string };

/** How the connection is made beyond the server's own fields. */
export interface TestedConnection {
  /** Certificate checks were off: a test with them off says nothing about a connection with them on. */
  allowUntrustedCertificates?: boolean;
}

/** One fingerprint per protocol given. */
export type ProtocolFingerprints = { imap?: string; smtp?: string };

/**
 * Identifies exactly what one protocol signs in to — host, port, security, user name and the
 * secret (the password, or the provider and signed-in account), and whether certificate checks
 * were off — without revealing it. A test
 * counts for the saved settings only when its fingerprint equals theirs, so a test of a typed but
 * unsaved password, another server or another account never changes the saved account's status.
 *
 * @example
 * const { imap } = protocolFingerprints(keyring, 'acme', { imap: server }, { method: 'password', password, smtpPassword: password });
 */
export function protocolFingerprints(
  keyring: Keyring,
  accountId: string,
  servers: { imap?: MailServer; smtp?: MailServer },
  credentials: TestedCredentials,
  connection: TestedConnection = {},
): ProtocolFingerprints {
  const one = (protocol: 'imap' | 'smtp', server: MailServer) => {
    const secret =
      credentials.method === 'password'
        ? [protocol === 'imap' ? credentials.password : credentials.smtpPassword]
        : [credentials.provider, credentials.account.toLowerCase()];
    const where = [server.host.toLowerCase().replace(/\.$/, ''), server.port, server.security, server.username];
    const untrusted = connection.allowUntrustedCertificates ? ['untrusted-certificates'] : [];
    return keyring.fingerprint(JSON.stringify([accountId, protocol, ...where, ...untrusted, credentials.method, ...secret]));
  };
  return {
    ...(servers.imap ? { imap: one('imap', servers.imap) } : {}),
    ...(servers.smtp ? { smtp: one('smtp', servers.smtp) } : {}),
  };
}

/** How long a test of unsaved settings stays good for a following save. */
export const PENDING_TEST_TTL_MS = 30 * 60 * 1000;

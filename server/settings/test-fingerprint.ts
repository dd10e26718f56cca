import type { Keyring } from '../crypto/keyring.js';
import type { OAuthProviderId } from '../store/database.js';
import type { MailServer } from './schema.js';

/** The credentials a connection test signed in with, as far as "same settings" is concerned. */
export type TestedCredentials = { method: 'password'; password: string; smtpPassword: string } | { method: 'oauth'; provider: OAuthProviderId };

/**
 * Identifies one complete configuration (both servers and the credentials) without revealing it,
 * so a test run before anything was saved can be recorded when exactly those settings are saved.
 */
export function connectionFingerprint(
  keyring: Keyring,
  accountId: string,
  servers: { imap: MailServer; smtp: MailServer },
  credentials: TestedCredentials,
): string {
  const server = (s: MailServer) => [s.host.toLowerCase(), s.port, s.security, s.username];
  const secret = credentials.method === 'password' ? [credentials.password, credentials.smtpPassword] : [credentials.provider];
  return keyring.fingerprint(JSON.stringify([accountId, server(servers.imap), server(servers.smtp), credentials.method, ...secret]));
}

/** How long a test stays good for a following save. */
export const PENDING_TEST_TTL_MS = 30 * 60 * 1000;

import type { MailServer, Protocol, ProtocolResult, TestError } from './types.js';

/** Codes that belong to the sign-in: the same user name and secret refused twice is one problem. */
const SIGN_IN_CODES = new Set(['AUTH_FAILED', 'APP_PASSWORD_REQUIRED', 'OAUTH_TOKEN_INVALID', 'ACCOUNT_MISMATCH']);
/** Codes that belong to the host: the same host failing twice is one problem. */
const HOST_CODES = new Set(['DNS_NOT_FOUND', 'BLOCKED_ADDRESS', 'TEMPORARY_FAILURE']);

/** A failure that is the consequence of the other protocol's: it points there instead of repeating it. */
export type ConsequentError = TestError & { sameCauseAs?: Protocol };

/**
 * Says a shared failure once: when SMTP fails for the same reason as IMAP — the same user name and
 * password (or token) refused, the same host not found or not available, the very same sentence
 * (no token could be had) — SMTP's error keeps its
 * code and field but says "same cause as IMAP", points to the IMAP steps instead of repeating them, and is marked
 * `sameCauseAs: "imap"`, so a person fixes one thing instead of reading it twice.
 */
export function sayOnce(
  imap: ProtocolResult | undefined,
  smtp: ProtocolResult | undefined,
  test: { targets: { imap?: MailServer; smtp?: MailServer }; separateSmtpPassword?: boolean },
): void {
  const first = imap?.error;
  const second = smtp?.error as ConsequentError | undefined;
  if (!first || !second || first.code !== second.code || first.field !== second.field) return;
  const { imap: imapServer, smtp: smtpServer } = test.targets;
  if (!imapServer || !smtpServer) return;
  const sameSignIn = SIGN_IN_CODES.has(second.code) && !test.separateSmtpPassword && imapServer.username.toLowerCase() === smtpServer.username.toLowerCase();
  const sameHost = HOST_CODES.has(second.code) && imapServer.host === smtpServer.host;
  // The same sentence for both (no token could be had, say) is one cause too.
  const sameWords = first.message === second.message;
  if (!sameSignIn && !sameHost && !sameWords) return;
  second.message = sameSignIn
    ? `The SMTP server refused the same sign-in for the same reason as IMAP (${first.code}); fixing it for IMAP fixes it here too.`
    : sameHost
      ? `${smtpServer.host} failed for SMTP for the same reason as for IMAP (${first.code}).`
      : `SMTP failed for the same reason as IMAP (${first.code}).`;
  second.steps = ['Follow the steps shown for IMAP; then test again.'];
  second.sameCauseAs = 'imap';
}

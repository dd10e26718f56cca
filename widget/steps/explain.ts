import { msg, str } from '@lit/localize';
import type { MailServer, OAuthProvider, TestFailure } from '../api.js';
import { describeCode } from '../messages.js';

/**
 * A connection-test failure in the widget's language, rendered from its `code` and the settings
 * that were tested (host, port, security, user name), so the specific fix ("port 143 expects
 * STARTTLS") survives translation. The server's English is the fallback for a code the widget
 * does not know, and stays available as the technical detail.
 */
export interface Explained {
  message: string;
  steps: string[];
  /** A page that helps (the provider's app-password or IMAP settings page). */
  link?: { href: string; text: string };
  /** The server's own English sentence and steps. */
  original: string;
  /** True when `message`/`steps` are the server's English (an unknown code). */
  fallback: boolean;
}

export interface FailureContext {
  protocol: 'imap' | 'smtp';
  server: MailServer | null;
  oauthProvider?: OAuthProvider;
  /** The signed-in OAuth account, for ACCOUNT_MISMATCH. */
  signedIn?: string;
  /** The provider's hints from detection (`appPassword`, `enableImap`, `helpUrl`). */
  hints?: ProviderHints;
}

export interface ProviderHints {
  appPassword?: boolean;
  enableImap?: boolean;
  oauthOnly?: boolean;
  helpUrl?: string;
}

/** The security a port is used with by convention (for "port 143 expects STARTTLS"). */
const PORT_SECURITY: Record<number, 'tls' | 'starttls'> = { 993: 'tls', 143: 'starttls', 465: 'tls', 587: 'starttls', 25: 'starttls', 2525: 'starttls' };
const TLS_PORT = { imap: 993, smtp: 465 } as const;
const STARTTLS_PORT = { imap: 143, smtp: 587 } as const;
const SECURITY_NAME = { tls: 'TLS', starttls: 'STARTTLS', none: '—' } as const;

/** The sentence that names what works for this port, or undefined when the port has no convention. */
function portAdvice(context: FailureContext): string | undefined {
  const server = context.server;
  if (!server) return undefined;
  const expected = PORT_SECURITY[server.port];
  const port = String(server.port);
  if (expected && expected !== server.security) {
    const other = String(expected === 'tls' ? STARTTLS_PORT[context.protocol] : TLS_PORT[context.protocol]);
    const chosen = server.security === 'none' ? 'STARTTLS' : SECURITY_NAME[server.security];
    return msg(str`Port ${port} expects ${SECURITY_NAME[expected]}: choose ${SECURITY_NAME[expected]}, or use port ${other} with ${chosen}.`, { id: 'x.portfix' });
  }
  return undefined;
}

const genericPortStep = (protocol: 'imap' | 'smtp') =>
  protocol === 'imap'
    ? msg('For receiving, port 993 uses TLS and port 143 uses STARTTLS.', { id: 'x.portsimap' })
    : msg('For sending, port 465 uses TLS and port 587 uses STARTTLS.', { id: 'x.portssmtp' });

function providerLink(hints: ProviderHints | undefined): Explained['link'] {
  return hints?.helpUrl ? { href: hints.helpUrl, text: msg("Open the provider's instructions", { id: 'x.help' }) } : undefined;
}

/** A failure explained in the widget's language. */
export function explainFailure(failure: TestFailure, context: FailureContext): Explained {
  const server = context.server;
  const host = server?.host ?? '';
  const port = String(server?.port ?? '');
  const user = server?.username ?? '';
  const original = [failure.message, ...failure.steps].join(' ');
  const done = (message: string, steps: Array<string | undefined>, link?: Explained['link']): Explained => ({
    message,
    steps: steps.filter((step): step is string => !!step),
    ...(link ? { link } : {}),
    original,
    fallback: false,
  });
  const name = context.oauthProvider === 'microsoft' ? 'Microsoft' : 'Google';
  switch (failure.code) {
    case 'DNS_NOT_FOUND':
      return done(msg(str`The server name ${host} could not be found.`, { id: 'x.dns' }), [msg('Check the spelling of the server name.', { id: 'step.dns' })]);
    case 'CONNECTION_REFUSED':
      return done(msg(str`${host} refused the connection on port ${port}.`, { id: 'x.refused' }), [portAdvice(context) ?? genericPortStep(context.protocol)]);
    case 'TIMEOUT':
      return done(msg(str`${host} did not answer on port ${port} in time.`, { id: 'x.timeout' }), [portAdvice(context), msg('Check the server name and port, then try again.', { id: 'step.timeout' })]);
    case 'TLS_CERT_INVALID':
      return done(msg(str`The security certificate of ${host} is not valid for this name.`, { id: 'x.cert' }), [
        msg("Use the server name the certificate was issued for, often your hosting provider's.", { id: 'x.certstep' }),
      ]);
    case 'TLS_FAILED': {
      const advice = portAdvice(context);
      return done(advice ?? msg(str`A secure connection to ${host} on port ${port} could not be established.`, { id: 'x.tls' }), [advice ? undefined : genericPortStep(context.protocol)]);
    }
    case 'ENCRYPTION_REQUIRED':
      return done(msg(str`${host} only accepts a sign-in over an encrypted connection.`, { id: 'x.encrypt' }), [portAdvice(context) ?? genericPortStep(context.protocol)]);
    case 'AUTH_FAILED':
      return done(msg(str`${host} did not accept the user name ${user} with this password.`, { id: 'x.auth' }), [
        msg('Check the user name (often the full address) and the password.', { id: 'step.auth' }),
        context.hints?.appPassword ? msg('With two-step verification on, this provider needs an app password instead of your normal password.', { id: 'x.apphint' }) : undefined,
      ], context.hints?.appPassword ? providerLink(context.hints) : undefined);
    case 'APP_PASSWORD_REQUIRED':
      return done(msg('This provider needs an app password instead of your normal password.', { id: 'code.apppw' }), [
        msg("Create an app password in your provider's security settings and use it here.", { id: 'step.apppw' }),
      ], providerLink(context.hints));
    case 'OAUTH_TOKEN_INVALID':
      return done(msg(str`The sign-in with ${name} has expired or was revoked.`, { id: 'x.oauth' }), [msg(str`Reconnect: sign in with ${name} again.`, { id: 'x.oauthstep' })]);
    case 'IMAP_DISABLED':
      return done(msg('IMAP access is turned off for this mailbox.', { id: 'code.imapoff' }), [msg("Turn the access on in the mailbox's settings or ask your administrator.", { id: 'step.enable' })], providerLink(context.hints));
    case 'SMTP_AUTH_DISABLED':
      return done(msg(str`${host} does not allow sending with a sign-in for this mailbox.`, { id: 'x.smtpoff' }), [
        context.oauthProvider === 'microsoft' || /office365|outlook/i.test(host)
          ? msg(str`An administrator turns on Authenticated SMTP for ${user} in the Microsoft 365 admin center (Users, Active users, Mail, Manage email apps).`, { id: 'x.smtpoffms' })
          : msg("Turn the access on in the mailbox's settings or ask your administrator.", { id: 'step.enable' }),
      ]);
    case 'MAILBOX_NOT_FOUND':
      return done(msg(str`The mailbox ${user} was not found on ${host}.`, { id: 'x.nombox' }), [msg('Check the user name (often the full address) and the password.', { id: 'step.auth' })]);
    case 'BLOCKED_ADDRESS':
      return done(msg(str`${host} leads to an address this service may not connect to (a private or local network).`, { id: 'x.blocked' }), [
        msg("Use the mail server's public name.", { id: 'x.blockedstep' }),
      ]);
    case 'PROTOCOL_ERROR':
      return done(msg(str`${host} did not answer on port ${port} like a mail server should.`, { id: 'x.protocol' }), [portAdvice(context) ?? genericPortStep(context.protocol)]);
    case 'TEMPORARY_FAILURE':
      return done(msg(str`${host} is busy and asked to try again later.`, { id: 'x.temp' }), [
        msg('Nothing in your settings is wrong. Close other mail programs that use this mailbox, wait a few minutes, then try again.', { id: 'x.tempstep' }),
      ]);
    case 'ACCOUNT_MISMATCH': {
      const signedIn = context.signedIn ?? '';
      const steps =
        context.oauthProvider === 'microsoft'
          ? [sharedMailboxAccess(signedIn, user), msg(str`Or sign in with ${user} itself.`, { id: 'x.mismatchself' })]
          : [msg(str`Google opens a mailbox only with its own account: sign in as ${user}.`, { id: 'x.mismatchg' })];
      return done(
        signedIn ? msg(str`The signed-in account ${signedIn} cannot open the mailbox ${user}.`, { id: 'x.mismatch' }) : msg(str`The signed-in account cannot open the mailbox ${user}.`, { id: 'x.mismatchnone' }),
        steps,
      );
    }
    default: {
      const known = describeCode(failure.code);
      if (known && failure.code !== 'UNKNOWN') return done(known, []);
      return { message: failure.message, steps: failure.steps, original, fallback: true };
    }
  }
}

/** What access a signed-in Microsoft account needs to open a shared mailbox. */
export function sharedMailboxAccess(account: string, mailbox: string): string {
  return msg(str`${account} needs Full Access to ${mailbox}: an administrator grants it in the Microsoft 365 admin center (Teams & groups, Shared mailboxes, or the user's Mailbox permissions, Read and manage).`, { id: 'x.sharedaccess' });
}

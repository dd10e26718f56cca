import { msg, str } from '@lit/localize';
import type { MailServer, OAuthProvider, TestFailure } from '../api.js';
import { addCodeDescriptions, describeCode } from '../messages.js';
import { PORT_SECURITY } from '../../server/contract/codes.js';

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

/** The codes only later steps meet (connection tests, OAuth, saving), in the widget's language. */
function laterCodeText(code: string): string | undefined {
  switch (code) {
    case 'DNS_NOT_FOUND':
      return msg('The server name could not be found.', { id: 'code.dns' });
    case 'CONNECTION_REFUSED':
      return msg('The server refused the connection on this port.', { id: 'code.refused' });
    case 'TLS_CERT_INVALID':
      return msg("The server's security certificate is not valid.", { id: 'code.cert' });
    case 'TLS_FAILED':
      return msg('A secure connection could not be established; the security setting may not match the port.', { id: 'code.tls' });
    case 'AUTH_FAILED':
      return msg('The user name or password was not accepted.', { id: 'code.auth' });
    case 'APP_PASSWORD_REQUIRED':
      return msg('This provider needs an app password instead of your normal password.', { id: 'code.apppw' });
    case 'OAUTH_TOKEN_INVALID':
      return msg('The sign-in has expired or was revoked. Reconnect the account.', { id: 'code.oauth' });
    case 'IMAP_DISABLED':
      return msg('IMAP access is turned off for this mailbox.', { id: 'code.imapoff' });
    case 'SMTP_AUTH_DISABLED':
      return msg('Sending with SMTP sign-in is turned off for this mailbox.', { id: 'code.smtpoff' });
    case 'MAILBOX_NOT_FOUND':
      return msg('The mailbox was not found on the server.', { id: 'code.nombox' });
    case 'PROTOCOL_ERROR':
      return msg('The server answered in an unexpected way.', { id: 'code.protocol' });
    case 'ACCOUNT_MISMATCH':
      return msg('The signed-in account cannot open this mailbox.', { id: 'code.mismatch' });
    case 'ENCRYPTION_REQUIRED':
      return msg('The server only accepts a sign-in over an encrypted connection; choose TLS or STARTTLS.', { id: 'code.encrypt' });
    case 'TEMPORARY_FAILURE':
      return msg('The mail server is busy and asked to try again later. Nothing in the settings is wrong.', { id: 'code.temp' });
    case 'OAUTH_HOST_MISMATCH':
      return msg('A sign-in with Google or Microsoft only works with their own mail servers.', { id: 'code.oauthhost' });
    case 'OAUTH_BROWSER_MISMATCH':
      return msg('The sign-in finished in another browser. Start it again in this one.', { id: 'code.browser' });
    case 'POPUP_CLOSED':
      return msg('The sign-in window was closed before the sign-in finished.', { id: 'code.popup' });
    case 'OAUTH_CONSENT_DENIED':
    case 'access_denied':
      return msg('Access was not granted. Try again and allow access to the mailbox.', { id: 'code.denied' });
    case 'OAUTH_REAUTH_REQUIRED':
    case 'OAUTH_NOT_CONNECTED':
    case 'OAUTH_NO_REFRESH_TOKEN':
      return msg('The sign-in has expired or was revoked. Reconnect the account.', { id: 'code.oauth' });
    case 'OAUTH_STATE_EXPIRED':
    case 'OAUTH_STATE_INVALID':
    case 'OAUTH_STATE_USED':
    case 'FLOW_NOT_FOUND':
      return msg('This sign-in has expired. Start it again.', { id: 'code.expired' });
    case 'OAUTH_PROVIDER_UNAVAILABLE':
    case 'OAUTH_PROVIDER_ERROR':
    case 'OAUTH_CODE_EXCHANGE_FAILED':
      return msg('The provider could not complete the sign-in. Try again in a moment.', { id: 'code.provider' });
    case 'OAUTH_SCOPE_MISSING':
      return msg('Mail access was not granted. Sign in again and allow every permission asked for.', { id: 'code.scope' });
    case 'PASSWORD_REQUIRED':
      return msg('Enter the password again: a saved password is only sent to the server it was saved for.', { id: 'code.pwreq' });
    case 'INSECURE_CONNECTION':
      return msg('A password cannot be sent over an unencrypted connection; choose TLS or STARTTLS.', { id: 'code.insecure' });
    default:
      return undefined;
  }
}
addCodeDescriptions(laterCodeText);

/** A connection-test phase name (`connect`, `tls`, `auth`…) in the widget's language. */
export function phaseLabel(name: string): string {
  switch (name) {
    case 'resolve':
    case 'dns':
      return msg('Finding the server', { id: 'phase.dns' });
    case 'connect':
    case 'tcp':
      return msg('Connecting', { id: 'phase.connect' });
    case 'tls':
    case 'starttls':
      return msg('Securing the connection', { id: 'phase.tls' });
    case 'greeting':
    case 'banner':
      return msg('Server greeting', { id: 'phase.greeting' });
    case 'authenticate':
    case 'auth':
    case 'login':
      return msg('Signing in', { id: 'phase.auth' });
    case 'mailbox':
    case 'select':
    case 'inbox':
      return msg('Opening the inbox', { id: 'phase.mailbox' });
    case 'send':
      return msg('Sending a test message', { id: 'phase.send' });
    case 'token':
      return msg('Getting a sign-in token', { id: 'phase.token' });
    default:
      return name;
  }
}

/** A security setting in words. */
export function securityLabel(security: string): string {
  switch (security) {
    case 'tls':
      return msg('TLS (encrypted)', { id: 'sec.tls' });
    case 'starttls':
      return 'STARTTLS';
    default:
      return msg('None (unencrypted)', { id: 'sec.none' });
  }
}

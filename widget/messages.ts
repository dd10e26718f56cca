import { msg, str } from '@lit/localize';
import type { ApiError } from './api.js';

/**
 * The server's codes rendered in the widget's language. One way everywhere: the widget speaks
 * for itself from the error `code` (and its parameters, see `steps/explain.ts` for connection
 * tests) in every locale; the server's English sentence is only the fallback for a code it does
 * not know.
 */

/** A sentence for an error code, or `undefined` when the widget has none. */
export function describeCode(code: string): string | undefined {
  switch (code) {
    case 'DNS_NOT_FOUND':
      return msg('The server name could not be found.', { id: 'code.dns' });
    case 'CONNECTION_REFUSED':
      return msg('The server refused the connection on this port.', { id: 'code.refused' });
    case 'TIMEOUT':
      return msg('The server did not answer in time.', { id: 'code.timeout' });
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
    case 'BLOCKED_ADDRESS':
      return msg('This server address is not allowed.', { id: 'code.blocked' });
    case 'PROTOCOL_ERROR':
      return msg('The server answered in an unexpected way.', { id: 'code.protocol' });
    case 'INVALID_EMAIL':
      return msg('Enter an address like support@example.com.', { id: 'addr.invalid' });
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
    case 'SESSION_EXPIRED':
    case 'UNAUTHORIZED':
      return msg('Your session has expired. Reload the page to continue.', { id: 'code.session' });
    case 'RATE_LIMITED':
      return msg('Too many attempts. Wait a minute, then try again.', { id: 'code.rate' });
    case 'NETWORK_ERROR':
      return msg('The server could not be reached. Check your connection and try again.', { id: 'code.network' });
    case 'NOT_CONFIGURED':
      return msg('No mailbox is connected yet.', { id: 'code.notconf' });
    case 'OAUTH_NOT_CONFIGURED':
      return msg('Sign-in with this provider is not set up on the server.', { id: 'code.oauthnotconf' });
    case 'OAUTH_CONSENT_DENIED':
    case 'access_denied':
      return msg('Access was not granted. Try again and allow access to the mailbox.', { id: 'code.denied' });
    case 'OAUTH_REAUTH_REQUIRED':
    case 'OAUTH_NOT_CONNECTED':
    case 'OAUTH_NO_REFRESH_TOKEN':
      return describeCode('OAUTH_TOKEN_INVALID');
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
    case 'UNKNOWN':
      return msg('Something went wrong on the server.', { id: 'code.unknown' });
    default:
      return undefined;
  }
}

/**
 * An error's sentence in the widget's language: rendered from its code (every locale, English
 * too); the server's English sentence only for a code the widget does not know.
 */
export function errorText(error: Pick<ApiError, 'code' | 'message'> & { field?: string }, _locale?: string): string {
  if (error.code === 'VALIDATION_ERROR' && error.field) return msg(str`Check this setting: ${fieldLabel(error.field)}.`, { id: 'code.validation' });
  return describeCode(error.code) ?? error.message;
}

/** True when `errorText` had to fall back to the server's (English) sentence. */
export const isFallback = (error: Pick<ApiError, 'code'> & { field?: string }) => !(error.code === 'VALIDATION_ERROR' && error.field) && describeCode(error.code) === undefined;

/** A label for a settings field named as the server names it (`imap.port`, `auth.password`). */
export function fieldLabel(field: string): string {
  return fieldLabelIn(field).trim();
}

function fieldLabelIn(field: string): string {
  const [scope, name] = field.split('.');
  const where = scope === 'smtp' ? 'SMTP' : scope === 'imap' ? 'IMAP' : '';
  switch (name) {
    case 'host':
      return msg(str`${where} server`, { id: 'field.host' });
    case 'port':
      return msg(str`${where} port`, { id: 'field.port' });
    case 'security':
      return msg(str`${where} security`, { id: 'field.security' });
    case 'username':
      return msg(str`${where} user name`, { id: 'field.username' });
    default:
      return msg('Password', { id: 'password' });
  }
}

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

/** A detection source (`builtin`, `mx`, `autoconfig`…) in the widget's language. */
export function sourceLabel(source: string): string {
  switch (source) {
    case 'builtin':
      return msg('Known providers', { id: 'source.builtin' });
    case 'mx':
      return msg('Mail server records (MX)', { id: 'source.mx' });
    case 'autoconfig':
      return msg("The domain's autoconfiguration", { id: 'source.autoconfig' });
    case 'srv':
      return msg('Service records (SRV)', { id: 'source.srv' });
    case 'ispdb':
      return msg('Provider database', { id: 'source.ispdb' });
    case 'guess':
      return msg('Trying common server names', { id: 'source.guess' });
    default:
      return source;
  }
}

/** How sure detection is, as a phrase. */
export function confidenceLabel(confidence: string): string {
  switch (confidence) {
    case 'high':
      return msg('Certain', { id: 'conf.high' });
    case 'medium':
      return msg('Likely', { id: 'conf.medium' });
    default:
      return msg('A guess: please check', { id: 'conf.low' });
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

import { msg, str } from '@lit/localize';
import type { ApiError } from './api.js';

/**
 * The server's codes rendered in the widget's language. One way everywhere: the widget speaks
 * for itself from the error `code` (and its parameters, see `steps/explain.ts` for connection
 * tests) in every locale; the server's English sentence is only the fallback for a code it does
 * not know.
 */

const described: Array<(code: string) => string | undefined> = [];

/**
 * Adds the sentences of codes that only later steps meet (connection tests, OAuth): the lazily
 * loaded step chunk registers them, so the first load does not carry them.
 */
export function addCodeDescriptions(describe: (code: string) => string | undefined): void {
  described.push(describe);
}

/** A sentence for an error code, or `undefined` when the widget has none. */
export function describeCode(code: string): string | undefined {
  for (const describe of described) {
    const text = describe(code);
    if (text) return text;
  }
  switch (code) {
    case 'TIMEOUT':
      return msg('The server did not answer in time.', { id: 'code.timeout' });
    case 'BLOCKED_ADDRESS':
      return msg('This server address is not allowed.', { id: 'code.blocked' });
    case 'INVALID_EMAIL':
      return msg('Enter an address like support@example.com.', { id: 'addr.invalid' });
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


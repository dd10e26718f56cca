import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError } from '../http/errors.js';
import type { OAuthProviderId } from '../store/database.js';

/** Why an OAuth flow or token request failed; each code has a status and a sentence a person can act on. */
export type OAuthErrorCode =
  | 'OAUTH_NOT_CONFIGURED'
  | 'OAUTH_STATE_INVALID'
  | 'OAUTH_STATE_USED'
  | 'OAUTH_STATE_EXPIRED'
  | 'OAUTH_WRONG_PROVIDER'
  | 'OAUTH_CONSENT_DENIED'
  | 'OAUTH_PROVIDER_ERROR'
  | 'OAUTH_CODE_EXCHANGE_FAILED'
  | 'OAUTH_SCOPE_MISSING'
  | 'OAUTH_EMAIL_MISSING'
  | 'OAUTH_NO_REFRESH_TOKEN'
  | 'OAUTH_CLIENT_MISCONFIGURED'
  | 'OAUTH_PROVIDER_UNAVAILABLE'
  | 'OAUTH_REAUTH_REQUIRED'
  | 'OAUTH_NOT_CONNECTED';

const name = (provider: OAuthProviderId) => (provider === 'google' ? 'Google' : 'Microsoft');

/** Status codes for the callback page and the JSON API: every callback failure is a 4xx. */
const STATUS: Record<OAuthErrorCode, ContentfulStatusCode> = {
  OAUTH_NOT_CONFIGURED: 400,
  OAUTH_STATE_INVALID: 400,
  OAUTH_STATE_USED: 409,
  OAUTH_STATE_EXPIRED: 410,
  OAUTH_WRONG_PROVIDER: 400,
  OAUTH_CONSENT_DENIED: 403,
  OAUTH_PROVIDER_ERROR: 400,
  OAUTH_CODE_EXCHANGE_FAILED: 400,
  OAUTH_SCOPE_MISSING: 403,
  OAUTH_EMAIL_MISSING: 400,
  OAUTH_NO_REFRESH_TOKEN: 400,
  // Callbacks answer these as 424 (Failed Dependency): still a 4xx page, as the contract asks.
  OAUTH_CLIENT_MISCONFIGURED: 424,
  OAUTH_PROVIDER_UNAVAILABLE: 424,
  OAUTH_REAUTH_REQUIRED: 409,
  OAUTH_NOT_CONNECTED: 409,
};

/** Codes that point at the operator's setup rather than at the user. */
export const OPERATOR_CODES: ReadonlySet<OAuthErrorCode> = new Set(['OAUTH_NOT_CONFIGURED', 'OAUTH_CLIENT_MISCONFIGURED']);

/** The sentence shown for a code. */
export function oauthMessage(code: OAuthErrorCode, provider: OAuthProviderId, extra?: string): string {
  const p = name(provider);
  switch (code) {
    case 'OAUTH_NOT_CONFIGURED':
      return `Sign-in with ${p} is not set up on this server; connect the mailbox with a password or app password instead.`;
    case 'OAUTH_STATE_INVALID':
      return 'This sign-in link is not valid. Close this window and start the connection again.';
    case 'OAUTH_STATE_USED':
      return 'This sign-in was already completed; a link can be used only once. Start again if the mailbox is not connected.';
    case 'OAUTH_STATE_EXPIRED':
      return 'This sign-in took longer than 10 minutes and has expired. Close this window and start again.';
    case 'OAUTH_WRONG_PROVIDER':
      return `This sign-in was started for another provider, not ${p}. Close this window and start again.`;
    case 'OAUTH_CONSENT_DENIED':
      return `Access was not granted at ${p}. To connect the mailbox, sign in again and allow access to your email.`;
    case 'OAUTH_PROVIDER_ERROR':
      return `${p} reported a problem with the sign-in${extra ? ` (${extra})` : ''}. Try again in a moment.`;
    case 'OAUTH_CODE_EXCHANGE_FAILED':
      return `${p} did not accept the sign-in when we completed it. Start the connection again.`;
    case 'OAUTH_SCOPE_MISSING':
      return `Permission to read and send email was not granted${extra ? ` (missing: ${extra})` : ''}. Sign in again and leave every permission ticked.`;
    case 'OAUTH_EMAIL_MISSING':
      return `${p} did not tell us the mailbox address. Sign in again and allow access to your email address.`;
    case 'OAUTH_NO_REFRESH_TOKEN':
      return `${p} did not grant lasting access. Remove this app's access in your ${p} account settings, then connect again.`;
    case 'OAUTH_CLIENT_MISCONFIGURED':
      return `The server's ${p} sign-in is misconfigured (client id, secret or redirect URI rejected). Ask the administrator to check it.`;
    case 'OAUTH_PROVIDER_UNAVAILABLE':
      return `${p} could not be reached just now. Try again in a minute.`;
    case 'OAUTH_REAUTH_REQUIRED':
      return `The ${p} connection has expired or was revoked. Reconnect the mailbox to continue.`;
    case 'OAUTH_NOT_CONNECTED':
      return 'The OAuth connection for this mailbox is missing; reconnect it in the widget.';
  }
}

/** An `ApiError` for a code, with its status and sentence. */
export function oauthError(code: OAuthErrorCode, provider: OAuthProviderId, extra?: string, status?: ContentfulStatusCode): ApiError {
  return new ApiError(status ?? STATUS[code], code, oauthMessage(code, provider, extra));
}

export function oauthStatus(code: OAuthErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

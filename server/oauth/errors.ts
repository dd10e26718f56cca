import { AppError } from '../contract/errors.js';
import type { OAuthProviderId } from '../store/database.js';
import type { OAuthErrorCode as ContractOAuthErrorCode } from '../contract/codes.js';

/** Why an OAuth flow or token request failed; each code has a sentence a person can act on (its HTTP status is the edge's, server/http/error-status.ts). */
export type OAuthErrorCode = ContractOAuthErrorCode;

const name = (provider: OAuthProviderId) => (provider === 'google' ? 'Google' : 'Microsoft');

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
    case 'OAUTH_BROWSER_MISMATCH':
      return 'This sign-in was finished in another browser than the one that started it. Start the connection again in this browser.';
    case 'OAUTH_ADMIN_CONSENT_REQUIRED':
      return `Your organisation needs an administrator to approve this app before it may read and send mail${extra ? ` (${extra})` : ''}.`;
    case 'OAUTH_ACCOUNT_NOT_ALLOWED':
      return `${p} did not let this account sign in to this app${extra ? `: ${extra}` : ''}.`;
    case 'OAUTH_BLOCKED_BY_POLICY':
      return `Your organisation's ${p} policy blocked this sign-in${extra ? ` (${extra})` : ''}.`;
    case 'OAUTH_BROWSER_NOT_SUPPORTED':
      return `${p} does not allow signing in from this embedded browser. Open the page in a regular browser (Chrome, Edge, Firefox or Safari) and connect again.`;
    case 'OAUTH_CONSENT_DENIED':
      return `Access was not granted at ${p}. To connect the mailbox, sign in again and allow access to your email.`;
    case 'OAUTH_PROVIDER_ERROR':
      return `${p} reported a problem with the sign-in${extra ? `: ${extra}` : ''}. Try again in a moment.`;
    case 'OAUTH_CODE_EXCHANGE_FAILED':
      return `${p} did not accept the sign-in when we completed it. Start the connection again.`;
    case 'OAUTH_SCOPE_MISSING':
      return `Permission to read and send email was not granted${extra ? ` (missing: ${extra})` : ''}. Sign in again and leave every permission ticked.`;
    case 'OAUTH_EMAIL_MISSING':
      return `${p} did not tell us the mailbox address. Sign in again and allow access to your email address.`;
    case 'OAUTH_NO_REFRESH_TOKEN':
      return `${p} did not grant lasting access. Remove this app's access in your ${p} account settings, then connect again.`;
    case 'OAUTH_CLIENT_MISCONFIGURED':
      return `The server's ${p} sign-in is misconfigured (${extra ?? 'client id, secret or redirect URI rejected'}). Ask the administrator to check it.`;
    case 'OAUTH_PROVIDER_UNAVAILABLE':
      return `${p} could not be reached just now. Try again in a minute.`;
    case 'OAUTH_REAUTH_REQUIRED':
      return `The ${p} connection has expired or was revoked. Reconnect the mailbox to continue.`;
    case 'OAUTH_NOT_CONNECTED':
      return 'The OAuth connection for this mailbox is missing; reconnect it in the widget.';
  }
}

/**
 * The `AppError` for a code, with its sentence. `status` only where this use needs another status
 * than the code's usual one (the host's credentials call: 503 while the provider cannot be reached).
 */
export function oauthError(code: OAuthErrorCode, provider: OAuthProviderId, extra?: string, status?: number): AppError<OAuthErrorCode> {
  return new AppError(code, oauthMessage(code, provider, extra), status === undefined ? {} : { status });
}

/** A refusal the provider sent back to the callback, explained: a code, a sentence and steps. */
export interface ProviderRefusal {
  code: OAuthErrorCode;
  message: string;
  steps: string[];
  /** The provider's own reason code (AADSTS…, admin_policy_enforced), for logs. */
  reason: string;
}

interface RefusalRule {
  code: OAuthErrorCode;
  /** What happened, in the person's words (goes into the code's sentence). */
  detail: string;
  steps: string[];
}

/**
 * Microsoft Entra ID's common AADSTS codes. Source: "Microsoft Entra authentication and
 * authorization error codes" (learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
const MICROSOFT_RULES: Record<string, RefusalRule> = {
  '50020': {
    code: 'OAUTH_ACCOUNT_NOT_ALLOWED',
    detail: 'the account belongs to another organisation (or is a personal Microsoft account) that this app does not accept',
    steps: [
      'Sign in with the work account of the organisation that owns the mailbox.',
      'If you must use this account, ask the administrator to invite it as a guest, or the operator to set MICROSOFT_TENANT to "organizations" or "common".',
    ],
  },
  '90072': {
    code: 'OAUTH_ACCOUNT_NOT_ALLOWED',
    detail: 'the account does not exist in the organisation (tenant) this app signs in to',
    steps: ['Sign in with an account of the organisation that owns the mailbox.', 'Or ask the administrator to add your account to that organisation as a guest.'],
  },
  '50105': {
    code: 'OAUTH_ACCOUNT_NOT_ALLOWED',
    detail: 'your administrator has not assigned your account to this app',
    steps: ['Ask your Microsoft 365 administrator to assign you to this app (Microsoft Entra admin center → Enterprise applications → the app → Users and groups).'],
  },
  '65001': {
    code: 'OAUTH_ADMIN_CONSENT_REQUIRED',
    detail: 'nobody has approved its access to mail yet',
    steps: [
      'Ask your Microsoft 365 administrator to grant admin consent: Microsoft Entra admin center → Enterprise applications → this app → Permissions → "Grant admin consent".',
      'Then sign in again.',
    ],
  },
  '90094': {
    code: 'OAUTH_ADMIN_CONSENT_REQUIRED',
    detail: 'only an administrator may grant the permissions it asks for',
    steps: ['Ask your Microsoft 365 administrator to grant admin consent for this app, then sign in again.'],
  },
  '65004': {
    code: 'OAUTH_CONSENT_DENIED',
    detail: 'access was declined on the consent screen',
    steps: ['Sign in again and choose "Accept" so the mailbox can be read and mail sent.'],
  },
  '53003': {
    code: 'OAUTH_BLOCKED_BY_POLICY',
    detail: 'a Conditional Access policy does not allow this sign-in (for example from this device, network or app)',
    steps: [
      'Try again from a device and network your organisation allows (for example a company-managed computer).',
      'Or ask your IT administrator to check the sign-in logs in Microsoft Entra ID and allow this app.',
    ],
  },
  '530032': {
    code: 'OAUTH_BLOCKED_BY_POLICY',
    detail: 'the security defaults or a policy of your organisation block it',
    steps: ['Ask your IT administrator to check the sign-in logs in Microsoft Entra ID and allow this app.'],
  },
  '700016': {
    code: 'OAUTH_CLIENT_MISCONFIGURED',
    detail: 'Microsoft does not know the application id MICROSOFT_CLIENT_ID in this directory',
    steps: [
      'Operator: check MICROSOFT_CLIENT_ID against the app registration\'s "Application (client) ID", and MICROSOFT_TENANT.',
      'If the app is registered in another organisation, make it multi-tenant (Supported account types) or use that tenant.',
    ],
  },
  '7000215': {
    code: 'OAUTH_CLIENT_MISCONFIGURED',
    detail: 'Microsoft rejected the client secret MICROSOFT_CLIENT_SECRET',
    steps: ['Operator: set MICROSOFT_CLIENT_SECRET to the secret\'s Value (not its Secret ID), from Certificates & secrets of the app registration.'],
  },
  '7000222': {
    code: 'OAUTH_CLIENT_MISCONFIGURED',
    detail: 'the client secret MICROSOFT_CLIENT_SECRET has expired',
    steps: ['Operator: create a new client secret in the app registration and set MICROSOFT_CLIENT_SECRET to its Value.'],
  },
  '50011': {
    code: 'OAUTH_CLIENT_MISCONFIGURED',
    detail: 'the redirect URI is not registered for the app',
    steps: ['Operator: add EMAIL_WIZARD_PUBLIC_URL + "/…/oauth/microsoft/callback" as a Web redirect URI of the app registration.'],
  },
};

const GOOGLE_RULES: Record<string, RefusalRule> = {
  admin_policy_enforced: {
    code: 'OAUTH_BLOCKED_BY_POLICY',
    detail: 'your Google Workspace administrator does not allow this app to access Google accounts',
    steps: [
      'Ask your Google Workspace administrator to trust this app: Admin console → Security → Access and data control → API controls → App access control → Configure new app (the OAuth client id).',
      'Then sign in again.',
    ],
  },
  org_internal: {
    code: 'OAUTH_ACCOUNT_NOT_ALLOWED',
    detail: 'this app only accepts accounts of the Google Workspace organisation that registered it',
    steps: [
      'Sign in with an account of the organisation that registered the app.',
      'Operator: set the OAuth consent screen\'s user type to "External" to accept other accounts.',
    ],
  },
  disallowed_useragent: {
    code: 'OAUTH_BROWSER_NOT_SUPPORTED',
    detail: 'Google blocks sign-in from embedded browsers',
    steps: ['Open this page in a regular browser (Chrome, Edge, Firefox or Safari) and connect again.'],
  },
  access_denied: {
    code: 'OAUTH_CONSENT_DENIED',
    detail: 'access was not granted',
    steps: ['Sign in again and allow access to your email.'],
  },
};

/**
 * Explains an `error` (and `error_description`) a provider sent back to the callback: Microsoft's
 * AADSTS code is read from the description, Google's reason from `error`; a known reason gets its
 * own code, sentence and steps, any other keeps the provider's own text.
 *
 * @example
 * explainProviderRefusal('microsoft', 'access_denied', 'AADSTS53003: Access has been blocked by Conditional Access policies.').code
 * // 'OAUTH_BLOCKED_BY_POLICY'
 */
export function explainProviderRefusal(provider: OAuthProviderId, error: string, description?: string): ProviderRefusal {
  const text = cleanDescription(description);
  const aadsts = /AADSTS(\d+)/.exec(description ?? '')?.[1];
  const rule = provider === 'microsoft' ? (aadsts ? MICROSOFT_RULES[aadsts] : undefined) ?? (error === 'access_denied' && !aadsts ? GOOGLE_RULES.access_denied : undefined) : GOOGLE_RULES[error];
  const reason = aadsts ? `AADSTS${aadsts}` : error;
  if (rule) {
    const extra = rule.code === 'OAUTH_CONSENT_DENIED' ? undefined : rule.detail;
    return { code: rule.code, message: oauthMessage(rule.code, provider, extra), steps: rule.steps, reason };
  }
  // Unknown to us: the provider's own words are the most useful thing to show.
  const said = text ? `${provider === 'microsoft' ? 'Microsoft' : 'Google'} said "${text}"` : undefined;
  return {
    code: 'OAUTH_PROVIDER_ERROR',
    message: oauthMessage('OAUTH_PROVIDER_ERROR', provider, said ?? error),
    steps: ['Try signing in again.', 'If it keeps failing, send this message to your IT administrator.'],
    reason,
  };
}

/** The first line of a provider's description, without Microsoft's trace and correlation ids, at most 300 characters. */
function cleanDescription(description: string | undefined): string {
  const first = (description ?? '').split(/\r?\n/)[0]!.replace(/\s*(Trace ID|Correlation ID|Timestamp):.*$/i, '').trim();
  const safe = first.replace(/[<>]/g, '');
  return safe.length > 300 ? `${safe.slice(0, 297)}…` : safe;
}

/**
 * The contract's closed vocabularies (DESIGN.md): error codes, account statuses, OAuth providers
 * and connection security. Each is a `const` list (for zod enums and loops) and its union type.
 * Nothing here imports anything, so the widget can import these types for free.
 */

/** OAuth providers a mailbox can sign in with. */
export const OAUTH_PROVIDERS = ['google', 'microsoft'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

/** How a mail connection is protected: implicit TLS, STARTTLS upgrade, or plaintext. */
export const SECURITY_MODES = ['tls', 'starttls', 'none'] as const;
export type Security = (typeof SECURITY_MODES)[number];

/** Ports whose security is fixed by convention (IANA), for "port 143 expects STARTTLS" on the server and in the widget. */
export const PORT_SECURITY: Readonly<Record<number, Exclude<Security, 'none'>>> = { 993: 'tls', 143: 'starttls', 465: 'tls', 587: 'starttls', 25: 'starttls', 2525: 'starttls' };

/** An account's mailbox status, as `GET /settings` reports it. */
export const ACCOUNT_STATUSES = ['untested', 'connected', 'failing', 'needs_reauth'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** Where an OAuth sign-in stands (`GET /oauth/flows/:flowId`). */
export const OAUTH_FLOW_STATES = ['pending', 'connected', 'failed'] as const;
export type OAuthFlowState = (typeof OAUTH_FLOW_STATES)[number];

/** The two protocols a connection test checks. */
export const PROTOCOLS = ['imap', 'smtp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Per-protocol failure codes of `POST /test` (DESIGN.md "Connection-test error codes"). */
export const MAIL_TEST_CODES = [
  'DNS_NOT_FOUND',
  'CONNECTION_REFUSED',
  'TIMEOUT',
  'TLS_CERT_INVALID',
  'TLS_FAILED',
  'AUTH_FAILED',
  'APP_PASSWORD_REQUIRED',
  'OAUTH_TOKEN_INVALID',
  'IMAP_DISABLED',
  'SMTP_AUTH_DISABLED',
  'MAILBOX_NOT_FOUND',
  'BLOCKED_ADDRESS',
  'PROTOCOL_ERROR',
  'UNKNOWN',
  'ENCRYPTION_REQUIRED',
  'TEMPORARY_FAILURE',
  'ACCOUNT_MISMATCH',
] as const;
export type MailTestCode = (typeof MAIL_TEST_CODES)[number];

/** Why an OAuth sign-in or token request failed. */
export const OAUTH_ERROR_CODES = [
  'OAUTH_NOT_CONFIGURED',
  'OAUTH_STATE_INVALID',
  'OAUTH_STATE_USED',
  'OAUTH_STATE_EXPIRED',
  'OAUTH_WRONG_PROVIDER',
  'OAUTH_BROWSER_MISMATCH',
  'OAUTH_CONSENT_DENIED',
  'OAUTH_ADMIN_CONSENT_REQUIRED',
  'OAUTH_ACCOUNT_NOT_ALLOWED',
  'OAUTH_BLOCKED_BY_POLICY',
  'OAUTH_BROWSER_NOT_SUPPORTED',
  'OAUTH_PROVIDER_ERROR',
  'OAUTH_CODE_EXCHANGE_FAILED',
  'OAUTH_SCOPE_MISSING',
  'OAUTH_EMAIL_MISSING',
  'OAUTH_NO_REFRESH_TOKEN',
  'OAUTH_CLIENT_MISCONFIGURED',
  'OAUTH_PROVIDER_UNAVAILABLE',
  'OAUTH_REAUTH_REQUIRED',
  'OAUTH_NOT_CONNECTED',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/** Request-level error codes: the `code` of an `{"error": …}` answer that is not an OAuth code. */
export const REQUEST_ERROR_CODES = [
  // The request itself
  'BAD_REQUEST',
  'INVALID_JSON',
  'VALIDATION_ERROR',
  'UNKNOWN_FIELD',
  'MISSING_FIELD',
  'INVALID_EMAIL',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'RETURN_URL_NOT_ALLOWED',
  // Who is asking
  'UNAUTHORIZED',
  'INVALID_API_KEY',
  'INVALID_SESSION',
  'SESSION_EXPIRED',
  'ORIGIN_MISMATCH',
  // What is saved and where secrets may go
  'NOT_CONFIGURED',
  'FLOW_NOT_FOUND',
  'PASSWORD_REQUIRED',
  'INSECURE_CONNECTION',
  'OAUTH_HOST_MISMATCH',
  'BLOCKED_ADDRESS',
  'ACCOUNT_MISMATCH',
  'RATE_LIMITED',
  // The server's own trouble
  'DETECTION_FAILED',
  'TEST_FAILED',
  'SECRET_UNREADABLE',
  /** A saved host name could not be looked up right now (its DNS did not answer): try again (503 + Retry-After). */
  'HOST_CHECK_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

/** Every code an `{"error": …}` answer can carry. */
export type ErrorCode = RequestErrorCode | OAuthErrorCode;

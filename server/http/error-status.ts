import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../contract/codes.js';
import { isAppError, type AppError } from '../contract/errors.js';
import type { ErrorBody } from '../contract/error-body.js';

/**
 * The HTTP status of every error code: the one place where capability errors meet HTTP.
 * An `AppError` may carry its own `status` for a code whose status depends on the route
 * (`BLOCKED_ADDRESS`: 400 on `PUT /settings`, 409 on `POST /accounts/:id/credentials`).
 */
export const ERROR_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  VALIDATION_ERROR: 400,
  UNKNOWN_FIELD: 400,
  MISSING_FIELD: 400,
  INVALID_EMAIL: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RETURN_URL_NOT_ALLOWED: 400,
  UNAUTHORIZED: 401,
  INVALID_API_KEY: 401,
  INVALID_SESSION: 401,
  SESSION_EXPIRED: 401,
  ORIGIN_MISMATCH: 403,
  NOT_CONFIGURED: 404,
  FLOW_NOT_FOUND: 404,
  PASSWORD_REQUIRED: 400,
  INSECURE_CONNECTION: 400,
  OAUTH_HOST_MISMATCH: 400,
  BLOCKED_ADDRESS: 400,
  ACCOUNT_MISMATCH: 400,
  RATE_LIMITED: 429,
  DETECTION_FAILED: 500,
  TEST_FAILED: 500,
  SECRET_UNREADABLE: 500,
  HOST_CHECK_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  // OAuth: every callback failure is a 4xx page (DESIGN.md); the provider's own trouble is 424.
  OAUTH_NOT_CONFIGURED: 400,
  OAUTH_STATE_INVALID: 400,
  OAUTH_STATE_USED: 409,
  OAUTH_STATE_EXPIRED: 410,
  OAUTH_WRONG_PROVIDER: 400,
  OAUTH_BROWSER_MISMATCH: 400,
  OAUTH_CONSENT_DENIED: 403,
  OAUTH_ADMIN_CONSENT_REQUIRED: 403,
  OAUTH_ACCOUNT_NOT_ALLOWED: 403,
  OAUTH_BLOCKED_BY_POLICY: 403,
  OAUTH_BROWSER_NOT_SUPPORTED: 400,
  OAUTH_PROVIDER_ERROR: 400,
  OAUTH_CODE_EXCHANGE_FAILED: 400,
  OAUTH_SCOPE_MISSING: 403,
  OAUTH_EMAIL_MISSING: 400,
  OAUTH_NO_REFRESH_TOKEN: 400,
  OAUTH_CLIENT_MISCONFIGURED: 424,
  OAUTH_PROVIDER_UNAVAILABLE: 424,
  OAUTH_REAUTH_REQUIRED: 409,
  OAUTH_NOT_CONNECTED: 409,
};

/** The status for a code; a code missing from the table is the server's fault (500). */
export function statusForCode(code: string): ContentfulStatusCode {
  return Object.hasOwn(ERROR_STATUS, code) ? ERROR_STATUS[code as ErrorCode] : 500;
}

/** The status an error is answered with: its own override, else the table's. */
export function statusOf(error: AppError): ContentfulStatusCode {
  return (error.status as ContentfulStatusCode | undefined) ?? statusForCode(error.code);
}

/** The error envelope for an `AppError`. */
export function errorBodyOf(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
}

export { isAppError };

import { ApiError } from './api.js';
import type { ProbeFailure, SetupMistake } from './probe.js';

/** The developer-facing sentence for a failed probe (`widget/probe.ts`); its own chunk, fetched only when one fails. */
export function describeProbeFailure(failure: ProbeFailure): ApiError {
  const { code, url, status, timeoutMs } = failure;
  const shown = failure.base || '(empty)';
  const pageOrigin = window.location.origin;
  switch (code) {
    case 'API_TIMEOUT':
      return new ApiError(0, code, `The wizard API at ${shown} did not answer within ${timeoutMs / 1000} seconds (GET ${url}).`);
    case 'ORIGIN_NOT_ALLOWED':
      return new ApiError(
        0,
        code,
        `The wizard server at ${new URL(url).origin} refuses this page's origin ${pageOrigin} (CORS). Add ${pageOrigin} to EMAIL_WIZARD_ALLOWED_ORIGINS on that server.`,
      );
    case 'API_UNREACHABLE':
      return new ApiError(0, code, `Nothing answers at ${url}. Check the api-base attribute (now "${shown}") and that the wizard server is running.`);
    case 'DATABASE_UNAVAILABLE':
      return new ApiError(status, failure.error?.code ?? code, failure.error?.message ?? 'The wizard server cannot reach its database.');
    case 'API_NOT_FOUND':
      return new ApiError(
        status,
        code,
        `There is no email-config-wizard API at ${shown}: GET ${url} answered ${status}${failure.json ? '' : ' without the health JSON'}. ` +
          'Set api-base to the URL the API is mounted at, e.g. https://wizard.example.com/api/email-settings (EMAIL_WIZARD_BASE_PATH on the server).',
      );
  }
}

/**
 * The sentence for a session-token mistake. `detail`: the error message of a failed
 * `fetchSessionToken()`, or `'fetchSessionToken'` when it answered no token.
 */
export function describeSetupMistake(code: SetupMistake, detail?: string): ApiError {
  if (code === 'SESSION_TOKEN_FAILED') return new ApiError(0, code, `fetchSessionToken() failed: ${detail}`);
  if (detail === 'fetchSessionToken') return new ApiError(0, code, 'fetchSessionToken() answered no token: it must resolve to the token string from POST /sessions.');
  return new ApiError(0, code, 'No session token: set the session-token attribute or the fetchSessionToken property (your backend mints the token with POST /sessions).');
}

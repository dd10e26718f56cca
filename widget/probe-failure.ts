import { ApiError } from './api.js';
import type { ProbeFailure } from './probe.js';

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

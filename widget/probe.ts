import { ApiError } from './api.js';

/**
 * Checks, before the first step renders, that `api-base` points at a wizard API this page may
 * call, so that an integration mistake is named at once instead of surfacing as "status 404"
 * after the person pressed Continue.
 *
 * `GET <api-base>/health` is a simple request (no preflight). What can go wrong, told apart:
 * - it answers 404, or something that is not the health JSON → `API_NOT_FOUND` (wrong `api-base`);
 * - `fetch` fails, but the same URL answers an opaque `no-cors` request → the server is there and
 *   refuses this origin → `ORIGIN_NOT_ALLOWED` (CORS);
 * - both fail → `API_UNREACHABLE`; no answer in time → `API_TIMEOUT`.
 * `null` means the API is there and this origin may use it.
 */
export async function probeApi(base: string, timeoutMs = 10_000): Promise<ApiError | null> {
  const url = new URL(`${base.replace(/\/+$/, '')}/health`, document.baseURI).href;
  const shown = base || '(empty)';
  const pageOrigin = window.location.origin;
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'omit', headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if ((error as Error)?.name === 'TimeoutError') {
      return new ApiError(0, 'API_TIMEOUT', `The wizard API at ${shown} did not answer within ${timeoutMs / 1000} seconds (GET ${url}).`);
    }
    const reachable = await fetch(url, { mode: 'no-cors', credentials: 'omit', signal: AbortSignal.timeout(timeoutMs) }).then(
      () => true,
      () => false,
    );
    if (reachable) {
      return new ApiError(
        0,
        'ORIGIN_NOT_ALLOWED',
        `The wizard server at ${new URL(url).origin} refuses this page's origin ${pageOrigin} (CORS). Add ${pageOrigin} to EMAIL_WIZARD_ALLOWED_ORIGINS on that server.`,
      );
    }
    return new ApiError(0, 'API_UNREACHABLE', `Nothing answers at ${url}. Check the api-base attribute (now "${shown}") and that the wizard server is running.`);
  }
  const body = (await response.json().catch(() => null)) as { status?: unknown; error?: { code?: string; message?: string } } | null;
  if (response.ok && body && typeof body.status === 'string') return null;
  if (response.status === 503 && body?.error?.code) return new ApiError(503, body.error.code, body.error.message ?? 'The wizard server is not ready.');
  return new ApiError(
    response.status,
    'API_NOT_FOUND',
    `There is no email-config-wizard API at ${shown}: GET ${url} answered ${response.status}${body ? '' : ' without the health JSON'}. ` +
      'Set api-base to the URL the API is mounted at, e.g. https://wizard.example.com/api/email-settings (EMAIL_WIZARD_BASE_PATH on the server).',
  );
}

import type { ApiError } from './api.js';

/** The session-token mistakes, named by `describeSetupMistake` (`widget/probe-failure.ts`). */
export type SetupMistake = 'SESSION_TOKEN_MISSING' | 'SESSION_TOKEN_FAILED';

/** What went wrong when probing, before it is put into words (`widget/probe-failure.ts`, loaded only then). */
export interface ProbeFailure {
  code: 'API_TIMEOUT' | 'ORIGIN_NOT_ALLOWED' | 'API_UNREACHABLE' | 'API_NOT_FOUND' | 'DATABASE_UNAVAILABLE';
  base: string;
  url: string;
  status: number;
  timeoutMs: number;
  /** The server's own error, when it sent one. */
  error?: { code?: string; message?: string };
  /** False when the answer was not JSON. */
  json: boolean;
}

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
  const failure = (code: ProbeFailure['code'], extra: Partial<ProbeFailure> = {}) =>
    import('./probe-failure.js').then(({ describeProbeFailure }) => describeProbeFailure({ code, base, url, status: 0, timeoutMs, json: false, ...extra }));
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'omit', headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if ((error as Error)?.name === 'TimeoutError') return failure('API_TIMEOUT');
    const reachable = await fetch(url, { mode: 'no-cors', credentials: 'omit', signal: AbortSignal.timeout(timeoutMs) }).then(
      () => true,
      () => false,
    );
    return failure(reachable ? 'ORIGIN_NOT_ALLOWED' : 'API_UNREACHABLE');
  }
  const body = (await response.json().catch(() => null)) as { status?: unknown; error?: { code?: string; message?: string } } | null;
  if (response.ok && body && typeof body.status === 'string') return null;
  const code = response.status === 503 && body?.error?.code ? 'DATABASE_UNAVAILABLE' : 'API_NOT_FOUND';
  return failure(code, { status: response.status, error: body?.error, json: body !== null });
}

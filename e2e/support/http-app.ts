import { apiRequestInit, type ApiRequestInit, type TestApp } from '../../server/testing/app.js';

/**
 * The request helpers of `createTestApp` (server/testing/app.ts) over real HTTP, for a server
 * running as a child process: the in-process helpers (e.g. `signIn` in server/testing/oauth-journeys.ts)
 * then drive the real thing. Only `request`, `session` and `fetch` are there.
 *
 * @example
 * const app = httpTestApp(() => server.url, API_KEY);
 * const { flowId } = await signIn(app, oauth, { accountId: 'a1', provider: 'google' });
 */
export function httpTestApp(baseUrl: () => string, apiKey: string, basePath = '/api/email-settings'): TestApp {
  const request = (path: string, init: ApiRequestInit = {}) =>
    fetch(`${baseUrl()}${basePath}${path}`, { ...apiRequestInit(init), signal: init.signal ?? AbortSignal.timeout(150_000) });
  const app = {
    request,
    fetch: (input: Request) => fetch(new Request(input, { redirect: 'manual', signal: AbortSignal.timeout(15_000) })),
    async session(accountId: string, extra: { origin?: string; ttlSeconds?: number } = {}) {
      const response = await request('/sessions', { method: 'POST', token: apiKey, json: { accountId, ...extra } });
      if (response.status !== 201) throw new Error(`session mint failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
  };
  return app as unknown as TestApp;
}

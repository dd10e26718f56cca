import { Hono } from 'hono';
import { renderDemoPage } from './index.js';

export interface ThirdPartyDemoOptions {
  /** Origin of the email-config-wizard server, e.g. `http://localhost:8787`. */
  apiOrigin: string;
  /** Where the API is mounted on that server. */
  basePath: string;
  /** The host API key this "host backend" uses to mint sessions. */
  apiKey: string;
  /** Account the page's widget configures. */
  accountId?: string;
  /** Milliseconds before the session request gives up. */
  timeoutMs?: number;
}

const DEFAULTS = { accountId: 'third-party-demo', timeoutMs: 5000 };

/**
 * A tiny host application on its own origin: its page embeds the widget with the script tag only,
 * and its backend mints a session bound to its own origin with `POST /sessions` and its API key.
 * Served on another port than the wizard's server, it shows CORS and origin binding at work.
 *
 * @example
 * serve({ fetch: createThirdPartyDemo({ apiOrigin: 'http://localhost:8787', basePath: '/api/email-settings', apiKey }).fetch, port: 8788 });
 */
export function createThirdPartyDemo(options: ThirdPartyDemoOptions): Hono {
  const { apiOrigin, basePath, apiKey, accountId, timeoutMs } = { ...DEFAULTS, ...options };
  const app = new Hono();

  app.get('/', async (c) =>
    c.html(
      await renderDemoPage('third-party.html', {
        SCRIPT_URL: `${apiOrigin}/widget/email-config-wizard.iife.js`,
        API_BASE: `${apiOrigin}${basePath}`,
        API_ORIGIN: apiOrigin,
      }),
    ),
  );

  // The host backend: the API key never reaches the browser; the token is bound to this origin.
  app.post('/session', async (c) => {
    const origin = new URL(c.req.url).origin;
    try {
      const response = await fetch(`${apiOrigin}${basePath}/sessions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ accountId, origin, ttlSeconds: 900 }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json()) as { token?: string; expiresAt?: string; error?: unknown };
      if (!response.ok || !body.token) return c.json({ error: body.error ?? { code: 'SESSION_FAILED', message: 'The wizard server refused the session.' } }, 502);
      return c.json({ token: body.token, expiresAt: body.expiresAt, origin });
    } catch {
      return c.json({ error: { code: 'SESSION_FAILED', message: `The wizard server at ${apiOrigin} could not be reached.` } }, 502);
    }
  });

  return app;
}

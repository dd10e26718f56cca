import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv, Services } from '../http/context.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WIDGET_ENTRY = `${ROOT}widget/index.ts`;

/**
 * Serves the demo host pages and the widget bundle. The bundle is built from source with esbuild
 * on first request, so `npm start` needs no separate build step.
 */
export function mountDemo(app: Hono<AppEnv>, services: Services): void {
  let bundle: Promise<string> | undefined;
  const buildWidget = async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [WIDGET_ENTRY],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
    });
    return result.outputFiles[0]!.text;
  };

  app.get('/widget/email-config-wizard.js', async (c) => {
    bundle ??= buildWidget().catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
    return c.body(await bundle, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
  });

  app.get('/', async (c) => {
    const page = await readFile(`${ROOT}demo/index.html`, 'utf8');
    return c.html(page.replaceAll('%API_BASE%', services.config.basePath));
  });

  // The demo's "host backend": mints a session the way a real host would, with its API key.
  app.post('/demo/session', async (c) => {
    if (!services.config.demoMode) {
      return c.json({ error: { code: 'NOT_FOUND', message: 'The demo session endpoint is only on in demo mode.' } }, 404);
    }
    const body = (await c.req.json().catch(() => ({}))) as { accountId?: unknown };
    const accountId = typeof body.accountId === 'string' && /^[\w.-]{1,64}$/.test(body.accountId) ? body.accountId : 'demo-account';
    const { token, claims } = services.sessions.issue({ accountId, origin: new URL(c.req.url).origin, ttlSeconds: 3600 });
    return c.json({ token, expiresAt: new Date(claims.expiresAt).toISOString() });
  });
}

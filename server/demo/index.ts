import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv, Services } from '../http/context.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WIDGET_ENTRY = `${ROOT}widget/index.ts`;

/** The two widget bundles the demo serves: the ES module (admin page) and the script-tag file (third-party page). */
export const WIDGET_BUNDLES = {
  '/widget/email-config-wizard.js': 'esm',
  '/widget/email-config-wizard.iife.js': 'iife',
} as const;

/**
 * Builds the widget from source with esbuild, so `npm start` needs no build step. The
 * production files come from `vite build` (`dist/widget/`); these are the same code, bundled
 * with everything (translations included) for the demo.
 *
 * @example const code = await bundleWidget('iife');
 */
export async function bundleWidget(format: 'esm' | 'iife'): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [WIDGET_ENTRY],
    bundle: true,
    format,
    globalName: format === 'iife' ? 'EmailConfigWizard' : undefined,
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  });
  return result.outputFiles[0]!.text;
}

/** Fills `%NAME%` placeholders of a demo page. */
export async function renderDemoPage(file: string, values: Record<string, string>): Promise<string> {
  const page = await readFile(`${ROOT}demo/${file}`, 'utf8');
  return page.replace(/%([A-Z_]+)%/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Serves the demo host pages and the widget bundles (built on first request). The admin page
 * at `/` gets its session from `POST /demo/session`, the demo's stand-in for a host backend.
 */
export function mountDemo(app: Hono<AppEnv>, services: Services): void {
  const bundles = new Map<string, Promise<string>>();
  for (const [path, format] of Object.entries(WIDGET_BUNDLES)) {
    app.get(path, async (c) => {
      let bundle = bundles.get(format);
      if (!bundle) {
        bundle = bundleWidget(format);
        bundles.set(format, bundle);
        bundle.catch(() => bundles.delete(format));
      }
      try {
        return c.body(await bundle, 200, {
          'Content-Type': 'text/javascript; charset=utf-8',
          'Cache-Control': 'no-cache',
          // The third-party page (another origin) loads the script-tag file from here.
          'Cross-Origin-Resource-Policy': 'cross-origin',
        });
      } catch (error) {
        services.logger.error('widget bundle failed', { error });
        return c.json({ error: { code: 'BUNDLE_FAILED', message: 'The widget could not be built; see the server log.' } }, 500);
      }
    });
  }

  app.get('/', async (c) => c.html(await renderDemoPage('index.html', { API_BASE: services.config.basePath })));

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

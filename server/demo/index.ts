import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv, Services } from '../http/context.js';
import type { Logger } from '../log/index.js';
import { widgetFilesDir } from '../http/widget-files.js';

// The package root, from source (server/demo/), the tsc build (dist/server/demo/) or a bundle alike.
const ROOT = `${dirname(dirname(widgetFilesDir()))}/`;
const WIDGET_ENTRY = `${ROOT}widget/index.ts`;

/**
 * Builds the widget from source into one file with esbuild (translations and later steps
 * inlined). Only `scripts/screenshots.ts` uses it; the server serves the files `vite build`
 * wrote (`server/http/widget-files.ts`), in demo mode as in production.
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

/**
 * Demo mode runs from a checkout: builds `dist/widget/` (once, only when a widget source changed)
 * with `scripts/widget-build.mjs`. A failed build is logged and the server starts anyway with
 * whatever was built before. An installed package has no build script and ships the files built.
 */
export async function buildWidgetForDemo(logger: Logger): Promise<void> {
  const script = join(dirname(dirname(widgetFilesDir())), 'scripts', 'widget-build.mjs');
  if (!existsSync(script)) return;
  try {
    const { ensureWidgetBuilt } = (await import(pathToFileURL(script).href)) as typeof import('../../scripts/widget-build.mjs');
    await ensureWidgetBuilt({ log: (line) => logger.info(line) });
  } catch (error) {
    logger.error('widget build failed; serving the previous build, if any', { error });
  }
}

/** Fills `%NAME%` placeholders of a demo page. */
export async function renderDemoPage(file: string, values: Record<string, string>): Promise<string> {
  const page = await readFile(`${ROOT}demo/${file}`, 'utf8');
  return page.replace(/%([A-Z_]+)%/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Serves the demo host page at `/` (it loads the prebuilt widget from `/widget/`) and its
 * stand-in host backend `POST /demo/session`. Mounted only in demo mode (`server/main.ts`); the
 * session endpoint refuses outside demo mode as well, should anyone mount it there.
 */
export function mountDemo(app: Hono<AppEnv>, services: Services): void {
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

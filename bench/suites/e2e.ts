/**
 * Whole-product figures: the script-tag bundle's gzipped size (built with vite), the widget's
 * first render in Chromium, and the server's resident memory under 60 s of sustained load on
 * `/detect` and `GET /settings` from two other processes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from '../index.js';
import { median, repeat } from '../lib/stats.js';
import { launchChromium } from '../../e2e/support/browser.js';
import { runSustainedLoad } from '../../e2e/support/sustained-load.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WIDGET_DIR = `${ROOT}dist/widget/`;
const LOADER = 'email-config-wizard.iife.js';
const RENDERS = 7;
const LOAD_SECONDS = Number(process.env.ECW_LOAD_SECONDS ?? 60);
const HEAP_LIMIT_MB = 96;

/** A host page on a made-up origin, answered by Playwright itself (no network, no server): the API says "nothing saved yet". */
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<script>window.__start = performance.now();</script>
<script src="/email-config-wizard.iife.js"></script></head>
<body><email-config-wizard api-base="/api/email-settings" session-token="bench-token"></email-config-wizard>
<script>
  const el = document.querySelector('email-config-wizard');
  const check = () => el.shadowRoot && el.shadowRoot.querySelector('input[name="email"]')
    ? (window.__firstRender = performance.now())
    : requestAnimationFrame(check);
  check();
</script></body></html>`;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

export default async function e2e(): Promise<BenchRow[]> {
  execFileSync(process.execPath, [`${ROOT}node_modules/vite/bin/vite.js`, 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  // The script tag's first load: the loader and the entry module it imports (later steps and translations come later).
  const loader = readFileSync(`${WIDGET_DIR}${LOADER}`);
  const entry = readFileSync(`${WIDGET_DIR}${/import\(new URL\("([^"]+)"/.exec(loader.toString())![1]}`);
  const bundleBytes = loader.length + entry.length;
  const gzipped = gzipSync(loader, { level: 9 }).length + gzipSync(entry, { level: 9 }).length;

  const browser = await launchChromium();
  let renders: number[];
  try {
    renders = await repeat(RENDERS, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.route('http://widget.bench/**', (route) => {
        const path = new URL(route.request().url()).pathname;
        if (path === '/') return route.fulfill({ contentType: 'text/html', body: PAGE });
        if (path.endsWith('.js') && existsSync(`${WIDGET_DIR}${path.slice(1)}`)) return route.fulfill({ contentType: 'text/javascript', body: readFileSync(`${WIDGET_DIR}${path.slice(1)}`) });
        if (path.endsWith('/health')) return route.fulfill({ contentType: 'application/json', body: '{"status":"ok","database":"ok","version":"bench"}' });
        if (path.endsWith('/settings')) return route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"NOT_CONFIGURED","message":"No mailbox is connected to this account yet."}}' });
        if (path.endsWith('/oauth/providers')) return route.fulfill({ contentType: 'application/json', body: '{"google":{"configured":false},"microsoft":{"configured":false}}' });
        return route.fulfill({ status: 404, body: '' });
      });
      await page.goto('http://widget.bench/');
      await page.waitForFunction(() => (window as unknown as { __firstRender?: number }).__firstRender !== undefined);
      const ms = await page.evaluate(() => {
        const w = window as unknown as { __start: number; __firstRender: number };
        return w.__firstRender - w.__start;
      });
      await context.close();
      return ms;
    });
  } finally {
    await browser.close();
  }

  const load = await runSustainedLoad({ seconds: LOAD_SECONDS });
  const capped = await runSustainedLoad({ seconds: LOAD_SECONDS, heapLimitMb: HEAP_LIMIT_MB });
  const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} req/s`;
  return [
    { name: 'script-tag first load (loader + entry, gzipped)', value: kb(gzipped), note: `${kb(bundleBytes)} minified; Lit + element + first step + English; budget 20 kB (server/http/widget-files.test.ts)` },
    { name: 'widget first render in Chromium', value: `${median(renders).toFixed(0)} ms`, note: `median of ${RENDERS}; script start → address step rendered (API answered by the page route)` },
    { name: `POST /detect, ${LOAD_SECONDS} s sustained`, value: rate(load.detect.requestsPerSecond), note: `built-in provider; ${load.detect.failures} failures; alongside GET /settings` },
    { name: `GET /settings, ${LOAD_SECONDS} s sustained`, value: rate(load.settings.requestsPerSecond), note: `${load.settings.failures} failures; alongside POST /detect` },
    { name: 'server resident memory after warm-up', value: `${load.rss.afterWarmUpMb.toFixed(0)} MB`, note: 'RSS of the server process (Node 20 + tsx)' },
    {
      name: 'server resident memory under load',
      value: `${load.rss.lastThirdPeakMb.toFixed(0)} MB`,
      note: `peak of the last third; first third ${load.rss.firstThirdPeakMb.toFixed(0)} MB: V8 grows its heap lazily at this allocation rate`,
    },
    {
      name: `server resident memory under load, heap ${HEAP_LIMIT_MB} MB`,
      value: `${capped.rss.lastThirdPeakMb.toFixed(0)} MB`,
      note: `--max-old-space-size=${HEAP_LIMIT_MB}: first third ${capped.rss.firstThirdPeakMb.toFixed(0)} MB, ${capped.detect.failures + capped.settings.failures} failures, ${rate(capped.detect.requestsPerSecond)} /detect (flat = nothing retained)`,
    },
  ];
}

/**
 * `npm run screenshots`: renders every step of <email-config-wizard> in Debian's headless
 * Chromium at desktop width and at 360 px, into `test-artifacts/screenshots/`. The widget is
 * bundled from source; the API is answered inside the browser (Playwright routes), so nothing
 * leaves this machine and no server is needed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { chromium, type Page, type Route } from 'playwright-core';
import { bundleWidget } from '../server/demo/index.js';
import { detection, failedPortTest, passedTest, savedSettings } from '../widget/testing/fixtures.js';

const OUT = 'test-artifacts/screenshots';
const WIDTHS = { desktop: 1024, mobile: 360 } as const;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

type Answer = { status?: number; json?: unknown } | { sse: Array<{ event: string; data: unknown }> } | 'hang';
type Routes = Record<string, Answer>;

interface Scenario {
  name: string;
  routes: Routes;
  locale?: string;
  theme?: 'light' | 'dark';
  act?: (page: Page) => Promise<void>;
}

const notConfigured: Routes = {
  'GET /settings': { status: 404, json: { error: { code: 'NOT_CONFIGURED', message: 'No mailbox is connected yet.' } } },
  'GET /oauth/providers': { json: { google: { configured: true }, microsoft: { configured: true } } },
  'POST /detect': {
    sse: [
      { event: 'source', data: { source: 'builtin', status: 'end', found: false, ms: 1 } },
      { event: 'source', data: { source: 'mx', status: 'end', found: true, ms: 20 } },
      { event: 'result', data: detection() },
    ],
  },
  'POST /oauth/google': { json: { authorizationUrl: 'about:blank', flowId: 'flow-1' } },
  'GET /oauth/flows/flow-1': { json: { status: 'pending' } },
  'POST /test': { json: passedTest },
  'PUT /settings': { json: savedSettings() },
};
const customDomain = detection({
  email: 'help@acme-shop.de',
  domain: 'acme-shop.de',
  provider: { id: 'ionos', name: 'IONOS', oauth: null, supported: true },
  imap: { host: 'imap.ionos.de', port: 993, security: 'tls', username: 'help@acme-shop.de' },
  smtp: { host: 'smtp.ionos.de', port: 465, security: 'tls', username: 'help@acme-shop.de' },
  confidence: 'medium',
  notes: ['Use the mailbox password you set in the IONOS control panel.'],
  alternatives: [{ source: 'guess', imap: { host: 'mail.acme-shop.de', port: 143, security: 'starttls', username: 'help@acme-shop.de' }, smtp: null }],
});

const typeAddress = (address = 'support@company.com') => async (page: Page) => {
  await page.locator('#ecw-email').fill(address);
  await page.keyboard.press('Enter');
};
const toAuth = (address?: string) => async (page: Page) => {
  await typeAddress(address)(page);
  await page.getByRole('heading', { name: /Sign in to your mailbox|Beim Postfach anmelden/ }).waitFor();
};
const toTest = async (page: Page) => {
  await toAuth()(page);
  await page.locator('#ecw-password').fill('app-password');
  await page.keyboard.press('Enter');
};
const clickButton = (page: Page, name: string | RegExp) => page.getByRole('button', { name }).first().click();

const SCENARIOS: Scenario[] = [
  { name: '01-address', routes: notConfigured },
  {
    name: '02-address-invalid',
    routes: notConfigured,
    act: async (page) => {
      await page.locator('#ecw-email').fill('support@company');
      await page.keyboard.press('Enter');
    },
  },
  {
    name: '03-address-detecting',
    routes: { ...notConfigured, 'POST /detect': 'hang' },
    act: async (page) => {
      await typeAddress()(page);
      await page.evaluate(() => {
        const el = document.querySelector('email-config-wizard') as unknown as { sources: unknown };
        el.sources = [
          { source: 'builtin', status: 'none' },
          { source: 'mx', status: 'found' },
          { source: 'autoconfig', status: 'running' },
          { source: 'srv', status: 'running' },
        ];
      });
    },
  },
  { name: '04-auth-oauth', routes: notConfigured, act: toAuth() },
  { name: '05-auth-password', routes: { ...notConfigured, 'POST /detect': { json: customDomain } }, act: toAuth('help@acme-shop.de') },
  {
    name: '06-oauth-waiting',
    routes: notConfigured,
    act: async (page) => {
      await toAuth()(page);
      await clickButton(page, 'Continue with Google');
      await page.getByText('Finish signing in').waitFor();
    },
  },
  {
    name: '07-manual',
    routes: { ...notConfigured, 'POST /detect': { json: customDomain } },
    act: async (page) => {
      await toAuth('help@acme-shop.de')(page);
      await clickButton(page, 'Set up manually');
    },
  },
  { name: '08-test-running', routes: { ...notConfigured, 'POST /test': 'hang' }, act: toTest },
  {
    name: '09-test-failed',
    routes: { ...notConfigured, 'POST /test': { json: failedPortTest } },
    act: async (page) => {
      await toTest(page);
      await page.getByRole('button', { name: 'Fix the setting' }).waitFor();
    },
  },
  {
    name: '10-manual-field-at-fault',
    routes: { ...notConfigured, 'POST /test': { json: failedPortTest } },
    act: async (page) => {
      await toTest(page);
      await clickButton(page, 'Fix the setting');
    },
  },
  {
    name: '11-final',
    routes: notConfigured,
    act: async (page) => {
      await toTest(page);
      await page.getByRole('heading', { name: 'Final settings' }).waitFor();
      await page.locator('#ecw-from').fill('Company Support');
      await page.getByLabel('Delete messages from the mailbox after they are processed').check();
    },
  },
  {
    name: '12-done',
    routes: notConfigured,
    act: async (page) => {
      await toTest(page);
      await page.locator('#ecw-from').fill('Company Support');
      await clickButton(page, 'Save and finish');
      await page.getByRole('heading', { name: 'Your mailbox is connected' }).waitFor();
    },
  },
  { name: '13-overview', routes: { ...notConfigured, 'GET /settings': { json: savedSettings() } } },
  {
    name: '14-overview-needs-reauth',
    routes: {
      ...notConfigured,
      'GET /settings': {
        json: savedSettings({
          status: 'needs_reauth',
          auth: { method: 'oauth', provider: 'microsoft', account: 'support@company.com', connected: true, needsReauthorization: true },
          lastTest: { at: '2026-11-24T08:30:00.000Z', ok: false, imap: { ok: false, code: 'OAUTH_TOKEN_INVALID' } },
        }),
      },
    },
  },
  {
    name: '15-overview-disconnect',
    routes: { ...notConfigured, 'GET /settings': { json: savedSettings() } },
    act: async (page) => clickButton(page, 'Disconnect'),
  },
  {
    name: '16-test-failed-german',
    locale: 'de',
    routes: { ...notConfigured, 'POST /test': { json: failedPortTest } },
    act: async (page) => {
      await toAuth()(page);
      await page.locator('#ecw-password').fill('app-password');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Einstellung korrigieren' }).waitFor();
    },
  },
  { name: '17-auth-dark', theme: 'dark', routes: notConfigured, act: toAuth() },
  { name: '18-overview-dark', theme: 'dark', routes: { ...notConfigured, 'GET /settings': { json: savedSettings() } } },
];

function page(script: string, scenario: Scenario): string {
  const dark = scenario.theme === 'dark';
  return `<!doctype html><html lang="${scenario.locale ?? 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<script>${script.replace(/<\/script/g, '<\\/script')}</script>
<style>body{margin:0;padding:16px;background:${dark ? '#0d1117' : '#eef1f5'};font-family:system-ui,sans-serif}</style></head>
<body><email-config-wizard api-base="/api" session-token="screenshot-token" theme="${scenario.theme ?? 'light'}" locale="${scenario.locale ?? 'en'}"></email-config-wizard></body></html>`;
}

async function answer(route: Route, routes: Routes): Promise<void> {
  const url = new URL(route.request().url());
  const found = routes[`${route.request().method()} ${url.pathname.replace(/^\/api/, '')}`];
  if (found === 'hang') return; // left pending: the step stays in its "working" state
  if (!found) return route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"NOT_FOUND","message":"Not mocked."}}' });
  if ('sse' in found) {
    const body = found.sse.map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
    return route.fulfill({ status: 200, contentType: 'text/event-stream', body });
  }
  return route.fulfill({ status: found.status ?? 200, contentType: 'application/json', body: JSON.stringify(found.json ?? {}) });
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const script = await bundleWidget('iife');
  let current: Scenario = SCENARIOS[0]!;
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page(script, current));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    for (const scenario of SCENARIOS) {
      current = scenario;
      for (const [label, width] of Object.entries(WIDTHS)) {
        const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
        const tab = await context.newPage();
        // The OAuth popup is replaced by a stand-in window: no provider page is ever fetched.
        await tab.addInitScript(() => {
          window.open = () => ({ closed: false, location: { href: '' }, close() {} }) as unknown as Window;
        });
        await tab.route('**/api/**', (route) => answer(route, scenario.routes));
        await tab.goto(`${origin}/`);
        await tab.locator('email-config-wizard h2').first().waitFor();
        await scenario.act?.(tab);
        await tab.waitForTimeout(150); // let the last render and focus settle before the picture
        const file = `${OUT}/${scenario.name}-${label}.png`;
        await tab.screenshot({ path: file, fullPage: true });
        process.stdout.write(`${file}\n`);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
}

await main();

/**
 * `npm run screenshots`: renders every step of <email-config-wizard> in Debian's headless
 * Chromium at 1280 px and at 360 px, light and dark, English and German, into
 * `test-artifacts/screenshots/` (`<scenario>-<locale>-<theme>-<width>.png`), plus one contact
 * sheet per scenario (`sheets/<scenario>-mobile.png`, `…-desktop.png`) to look at them side by
 * side. The widget is bundled from source; the API is answered inside the browser (Playwright
 * routes), so nothing leaves this machine and no server is needed.
 *
 * `npm run screenshots -- 07 09` renders only the scenarios whose name starts with those prefixes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile } from 'node:fs/promises';
import type { Browser, Page, Route } from 'playwright-core';
import { launchChromium } from '../server/testing/browser.js';
import { bundleWidget } from '../server/demo/index.js';
import { detection, savedSettings } from '../widget/testing/fixtures.js';
import type { TestResult } from '../widget/api.js';

const OUT = 'test-artifacts/screenshots';
const WIDTHS = { desktop: 1280, mobile: 360 } as const;
const VARIANTS = [
  { locale: 'en', theme: 'light' },
  { locale: 'en', theme: 'dark' },
  { locale: 'de', theme: 'light' },
  { locale: 'de', theme: 'dark' },
] as const;
type Answer = { status?: number; json?: unknown } | { sse: Array<{ event: string; data: unknown }> } | 'hang';
type Routes = Record<string, Answer>;

interface Scenario {
  name: string;
  routes: Routes;
  act?: (page: Page) => Promise<void>;
}

const phase = (name: string, ok = true, ms = 12) => ({ name, ok, ms });
const works = { ok: true, phases: [phase('connect'), phase('tls', true, 8), phase('authenticate', true, 30)] };
const fails = (code: string, field: string | undefined, message: string) => ({
  ok: false,
  phases: [phase('connect', true, 5), phase(field?.endsWith('.port') || field?.endsWith('.security') ? 'tls' : 'authenticate', false, 32)],
  error: { code, message, ...(field ? { field } : {}), steps: ['The server’s English step.'] },
});
const passed: TestResult = { ok: true, imap: works, smtp: works } as TestResult;
const portAndSecurity = { ok: false, imap: fails('TLS_FAILED', 'imap.port', 'Port 143 expects STARTTLS, not TLS.'), smtp: fails('TLS_FAILED', 'smtp.security', 'Port 465 expects TLS.') };
const wrongPassword = {
  ok: false,
  imap: fails('AUTH_FAILED', 'auth.password', 'imap.gmail.com did not accept the user name or password.'),
  smtp: { ...fails('AUTH_FAILED', 'auth.password', 'Same cause as IMAP.'), error: { ...fails('AUTH_FAILED', 'auth.password', 'Same cause as IMAP.').error, sameCauseAs: 'imap' } },
};

const gmailHints = { appPassword: true, helpUrl: 'https://support.google.com/mail/answer/185833' };
const workspace = detection({ provider: { id: 'google-workspace', name: 'Google Workspace', oauth: 'google', supported: true, hints: gmailHints } as never });
const notConfigured: Routes = {
  'GET /health': { json: { status: 'ok' } },
  'GET /settings': { status: 204 },
  'GET /oauth/providers': { json: { google: { configured: true }, microsoft: { configured: true } } },
  'POST /detect': {
    sse: [
      { event: 'source', data: { source: 'builtin', status: 'end', found: false, ms: 1 } },
      { event: 'source', data: { source: 'mx', status: 'end', found: true, ms: 20 } },
      { event: 'result', data: workspace },
    ],
  },
  'POST /oauth/google': { json: { authorizationUrl: 'about:blank', flowId: 'flow-1' } },
  'POST /oauth/microsoft': { json: { authorizationUrl: 'about:blank', flowId: 'flow-m' } },
  'GET /oauth/flows/flow-1': { json: { status: 'pending' } },
  'GET /oauth/flows/flow-m': { json: { status: 'connected', email: 'agent@company.com' } },
  'POST /test': { json: passed },
  'PUT /settings': { json: savedSettings() },
};
const ionos = detection({
  email: 'help@acme-shop.de',
  domain: 'acme-shop.de',
  provider: { id: 'ionos', name: 'IONOS', oauth: null, supported: true },
  imap: { host: 'imap.ionos.de', port: 143, security: 'tls', username: 'help@acme-shop.de' },
  smtp: { host: 'smtp.ionos.de', port: 465, security: 'starttls', username: 'help@acme-shop.de' },
  confidence: 'medium',
  authMethods: ['password'],
  notes: [],
  alternatives: [{ source: 'guess', imap: { host: 'mail.acme-shop.de', port: 993, security: 'tls', username: 'help@acme-shop.de' }, smtp: null }],
});
const microsoft = detection({ provider: { id: 'microsoft-365', name: 'Microsoft 365', oauth: 'microsoft', supported: true }, imap: { host: 'outlook.office365.com', port: 993, security: 'tls', username: 'support@company.com' }, smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls', username: 'support@company.com' }, authMethods: ['oauth'], notes: [] });
const nothingFound = detection({ email: 'support@gmial.com', domain: 'gmial.com', provider: null, imap: null, smtp: null, notes: [], confidence: 'low', source: 'none' });
const saved = { ...notConfigured, 'GET /settings': { json: savedSettings() } };

/** The wizard's state machine step, read from the element (labels differ per language). */
const atStep = (page: Page, step: string) =>
  page.waitForFunction((wanted) => {
    const el = document.querySelector('email-config-wizard') as unknown as { state: { step: string }; busy: boolean } | null;
    return el?.state.step === wanted && !el.busy;
  }, step);
/** Dispatches a state-machine event, as a button would. */
const dispatch = (page: Page, event: Record<string, unknown>) =>
  page.evaluate((value) => (document.querySelector('email-config-wizard') as unknown as { dispatch(e: unknown): void }).dispatch(value), event);
const inWizard = (page: Page, selector: string) => page.locator(`email-config-wizard ${selector}`).first();

const typeAddress = (address = 'support@company.com') => async (page: Page) => {
  await inWizard(page, '#ecw-email').fill(address);
  await page.keyboard.press('Enter');
};
const toAuth = (address?: string) => async (page: Page) => {
  await typeAddress(address)(page);
  await atStep(page, 'auth');
};
const toTest = async (page: Page) => {
  await toAuth()(page);
  await inWizard(page, '#ecw-password').fill('app-password');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => (document.querySelector('email-config-wizard') as unknown as { state: { step: string; testResult: unknown } }).state.testResult !== null);
};
const toFinal = async (page: Page) => {
  await toTest(page);
  await atStep(page, 'final');
};

const SCENARIOS: Scenario[] = [
  { name: '01-address', routes: notConfigured },
  { name: '02-address-invalid', routes: notConfigured, act: typeAddress('support@company') },
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
  { name: '04-auth-google', routes: notConfigured, act: toAuth() },
  { name: '05-auth-password', routes: { ...notConfigured, 'POST /detect': { json: ionos } }, act: toAuth('help@acme-shop.de') },
  { name: '06-auth-nothing-found-typo', routes: { ...notConfigured, 'POST /detect': { json: nothingFound } }, act: toAuth('support@gmial.com') },
  {
    name: '07-auth-microsoft-shared',
    routes: { ...notConfigured, 'POST /detect': { json: microsoft } },
    act: async (page) => {
      await toAuth()(page);
      await inWizard(page, 'input[type=checkbox]').check();
    },
  },
  {
    name: '08-oauth-waiting',
    routes: notConfigured,
    act: async (page) => {
      await toAuth()(page);
      await inWizard(page, 'button.brand').click();
      await page.waitForFunction(() => (document.querySelector('email-config-wizard') as unknown as { state: { oauthFlowId: string | null } }).state.oauthFlowId !== null);
    },
  },
  {
    name: '09-oauth-other-account',
    routes: { ...notConfigured, 'POST /detect': { json: microsoft } },
    act: async (page) => {
      await toAuth()(page);
      await inWizard(page, 'button.brand').click();
      await inWizard(page, 'h2').filter({ hasText: /mailbox|Postfach/ }).waitFor();
      await page.waitForFunction(() => (document.querySelector('email-config-wizard') as unknown as { state: { auth: { connectedEmail?: string } } }).state.auth?.connectedEmail !== undefined);
    },
  },
  {
    name: '10-manual',
    routes: { ...notConfigured, 'POST /detect': { json: ionos } },
    act: async (page) => {
      await toAuth('help@acme-shop.de')(page);
      await dispatch(page, { type: 'choose-manual' });
      await atStep(page, 'manual');
    },
  },
  { name: '11-test-running', routes: { ...notConfigured, 'POST /test': 'hang' }, act: async (page) => {
    await toAuth()(page);
    await inWizard(page, '#ecw-password').fill('app-password');
    await page.keyboard.press('Enter');
    await atStep(page, 'test').catch(() => undefined);
    await page.evaluate(() => {
      // What the stream has said so far: IMAP failed after 32 ms, SMTP still waits for the greeting.
      const el = document.querySelector('email-config-wizard') as unknown as { phases: unknown; partial: unknown };
      el.phases = { imap: [{ name: 'connect', ok: true, ms: 5 }, { name: 'tls', ok: false, ms: 32 }], smtp: [{ name: 'connect', ok: true, ms: 6 }, { name: 'greeting', ok: true, ms: 0, running: true }] };
      el.partial = { imap: { ok: false, phases: [{ name: 'connect', ok: true, ms: 5 }, { name: 'tls', ok: false, ms: 32 }], error: { code: 'TLS_FAILED', message: 'x', field: 'imap.security', steps: [] } } };
    });
  } },
  { name: '12-test-failed-port', routes: { ...notConfigured, 'POST /detect': { json: ionos }, 'POST /test': { json: portAndSecurity } }, act: async (page) => {
    await toAuth('help@acme-shop.de')(page);
    await inWizard(page, '#ecw-password').fill('app-password');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (document.querySelector('email-config-wizard') as unknown as { state: { testResult: unknown } }).state.testResult !== null);
  } },
  { name: '13-test-failed-password', routes: { ...notConfigured, 'POST /test': { json: wrongPassword } }, act: toTest },
  {
    name: '14-manual-fields-at-fault',
    routes: { ...notConfigured, 'POST /detect': { json: ionos }, 'POST /test': { json: portAndSecurity } },
    act: async (page) => {
      await toAuth('help@acme-shop.de')(page);
      await inWizard(page, '#ecw-password').fill('app-password');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (document.querySelector('email-config-wizard') as unknown as { state: { testResult: unknown } }).state.testResult !== null);
      await dispatch(page, { type: 'fix-settings' });
      await atStep(page, 'manual');
    },
  },
  {
    name: '15-auth-password-refused',
    routes: { ...notConfigured, 'POST /test': { json: wrongPassword } },
    act: async (page) => {
      await toTest(page);
      await dispatch(page, { type: 'fix-settings' });
      await atStep(page, 'auth');
    },
  },
  {
    name: '16-final-success',
    routes: notConfigured,
    act: async (page) => {
      await toFinal(page);
      await inWizard(page, '#ecw-from').fill('Company Support');
      await inWizard(page, 'input[name="delete"]').check();
    },
  },
  {
    name: '17-final-after-reload',
    routes: notConfigured,
    act: async (page) => {
      await toFinal(page);
      await inWizard(page, '#ecw-from').fill('Company Support');
      await page.reload();
      await atStep(page, 'final');
    },
  },
  {
    name: '18-done',
    routes: notConfigured,
    act: async (page) => {
      await toFinal(page);
      await inWizard(page, '#ecw-from').fill('Company Support');
      await inWizard(page, 'button[type=submit]').click();
      await atStep(page, 'done');
    },
  },
  { name: '19-overview', routes: saved },
  {
    name: '20-overview-needs-reauth',
    routes: {
      ...notConfigured,
      'GET /settings': {
        json: savedSettings({
          status: 'needs_reauth',
          auth: { method: 'oauth', provider: 'microsoft', account: 'support@company.com', connected: true, needsReauthorization: true },
          lastTest: { at: '2026-11-24T08:30:00.000Z', ok: false, imap: { ok: false, code: 'OAUTH_TOKEN_INVALID' } } as never,
        }),
      },
    },
  },
  { name: '21-overview-disconnect', routes: saved, act: async (page) => inWizard(page, '[data-disconnect]').click() },
  {
    name: '22-edit-servers-changed',
    routes: saved,
    act: async (page) => {
      await dispatch(page, { type: 'edit' });
      await atStep(page, 'manual');
      await inWizard(page, '#ecw-imap\\.host').fill('imap.new-host.example');
    },
  },
  { name: '23-preferences', routes: saved, act: async (page) => {
    await dispatch(page, { type: 'edit-final' });
    await atStep(page, 'final');
  } },
  { name: '24-reconnect-password', routes: { ...saved, 'GET /settings': { json: savedSettings({ status: 'failing' }) } }, act: async (page) => {
    await dispatch(page, { type: 'reconnect' });
    await atStep(page, 'manual');
  } },
];

function page(script: string, locale: string, theme: string): string {
  const dark = theme === 'dark';
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<script>${script.replace(/<\/script/g, '<\\/script')}</script>
<style>body{margin:0;padding:16px;background:${dark ? '#0d1117' : '#eef1f5'};font-family:system-ui,sans-serif}</style></head>
<body><email-config-wizard api-base="/api" session-token="screenshot-token" theme="${theme}" locale="${locale}"></email-config-wizard></body></html>`;
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
  if (found.status === 204) return route.fulfill({ status: 204, body: '' });
  return route.fulfill({ status: found.status ?? 200, contentType: 'application/json', body: JSON.stringify(found.json ?? {}) });
}

/**
 * One picture per variant side by side, drawn by Chromium itself (no image tool needed): the
 * 360 px ones at full size, the 1280 px ones at half size in a 2 × 2 grid.
 */
async function contactSheets(browser: Browser, name: string): Promise<void> {
  const image = async (variant: (typeof VARIANTS)[number], width: string) =>
    `data:image/png;base64,${(await readFile(`${OUT}/${name}-${variant.locale}-${variant.theme}-${width}.png`)).toString('base64')}`;
  const sheet = async (width: 'mobile' | 'desktop', columns: number, scale: number) => {
    const tiles = await Promise.all(VARIANTS.map(async (variant) => `<figure><figcaption>${variant.locale} · ${variant.theme}</figcaption><img src="${await image(variant, width)}" style="width:${WIDTHS[width] * scale}px"></figure>`));
    const context = await browser.newContext({ viewport: { width: columns * (WIDTHS[width] * scale + 12), height: 400 }, deviceScaleFactor: 1 });
    const tab = await context.newPage();
    await tab.setContent(`<body style="margin:0;background:#888;font:12px system-ui"><div style="display:grid;grid-template-columns:repeat(${columns},max-content);gap:12px;align-items:start">${tiles.join('')}</div></body>`);
    await tab.screenshot({ path: `${OUT}/sheets/${name}-${width}.png`, fullPage: true });
    await context.close();
  };
  await sheet('mobile', 4, 1);
  await sheet('desktop', 2, 0.5);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const scenarios = only.length ? SCENARIOS.filter((scenario) => only.some((prefix) => scenario.name.startsWith(prefix))) : SCENARIOS;
  await mkdir(`${OUT}/sheets`, { recursive: true });
  const script = await bundleWidget('iife');
  let current = { locale: 'en', theme: 'light' };
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page(script, current.locale, current.theme));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const failures: string[] = [];
  try {
    for (const scenario of scenarios) {
      for (const variant of VARIANTS) {
        current = variant;
        for (const [label, width] of Object.entries(WIDTHS)) {
          const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1, reducedMotion: 'reduce', colorScheme: variant.theme === 'dark' ? 'dark' : 'light' });
          const tab = await context.newPage();
          // The OAuth popup is replaced by a stand-in window: no provider page is ever fetched.
          await tab.addInitScript(() => {
            window.open = () => ({ closed: false, location: { href: '' }, close() {} }) as unknown as Window;
          });
          await tab.route('**/api/**', (route) => answer(route, scenario.routes));
          const file = `${OUT}/${scenario.name}-${variant.locale}-${variant.theme}-${label}.png`;
          try {
            await tab.goto(`${origin}/`);
            await tab.locator('email-config-wizard h2').first().waitFor({ timeout: 10_000 });
            await scenario.act?.(tab);
            await tab.waitForTimeout(150); // let the last render and focus settle before the picture
            const sideways = await tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            if (sideways > 0) failures.push(`${file}: scrolls sideways by ${sideways} px`);
            // A window as tall as the page: sticky action rows rest where they belong in the whole-page picture.
            const height = await tab.evaluate(() => document.documentElement.scrollHeight);
            if (height > 800) await tab.setViewportSize({ width, height });
          } catch (error) {
            failures.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
          }
          await tab.screenshot({ path: file, fullPage: true });
          await context.close();
        }
      }
      await contactSheets(browser, scenario.name);
      process.stdout.write(`${OUT}/sheets/${scenario.name}-{mobile,desktop}.png\n`);
    }
  } finally {
    await browser.close();
    server.close();
  }
  if (failures.length) {
    process.stderr.write(`${failures.join('\n')}\n`);
    process.exitCode = 1;
  }
}

await main();

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerType } from '@hono/node-server';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, listenOnLoopback } from '../../testing/browser.js';
import { createTestApp, TEST_API_KEY, TEST_BASE, type TestApp } from '../../testing/app.js';
import { startOAuthTestServer, type OAuthTestServer } from '../../testing/oauth-server.js';
import { ensureWidgetBuilt } from '../../../scripts/widget-build.mjs';
import { mountWidgetFiles } from '../widget-files.js';
import { createThirdPartyDemo } from '../../demo/third-party.js';

/**
 * The browser-bound OAuth sign-in in a real Chromium that blocks third-party cookies: the widget on
 * a host page of one site (127.0.0.1), the wizard server on another (localhost), the provider on a
 * third port. The popup and the redirect mode both finish the sign-in — the binding cookie is
 * first-party because the launch and the callback are top-level pages on the server's own origin.
 * Everything is loopback; DNS goes nowhere (Gmail is a built-in answer).
 */
const listen = (host: string, fetch: (request: Request) => Response | Promise<Response>) => listenOnLoopback(fetch, host);

let oauth: OAuthTestServer;
let wizard: TestApp;
let browser: Browser;
const servers: ServerType[] = [];
let pageOrigin: string;

beforeAll(async () => {
  await ensureWidgetBuilt();
  oauth = await startOAuthTestServer();
  let apiFetch: ((request: Request) => Response | Promise<Response>) | undefined;
  let pageFetch: ((request: Request) => Response | Promise<Response>) | undefined;
  const api = await listen('localhost', (request) => apiFetch!(request));
  const page = await listen('127.0.0.1', (request) => pageFetch!(request));
  pageOrigin = page.origin;
  wizard = await createTestApp({ ...oauth.env(), EMAIL_WIZARD_PUBLIC_URL: api.origin, EMAIL_WIZARD_ALLOWED_ORIGINS: pageOrigin, EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true' });
  mountWidgetFiles(wizard.app);
  apiFetch = wizard.app.fetch;
  pageFetch = createThirdPartyDemo({ apiOrigin: api.origin, basePath: TEST_BASE, apiKey: TEST_API_KEY, accountId: 'browser-bound' }).fetch;
  servers.push(api.server, page.server);
  browser = await launchChromium(['--test-third-party-cookie-phaseout']);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await wizard?.close();
  await oauth?.close();
});

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  // A safety net: the pages may only reach loopback.
  await context.route(/^https?:\/\/(?!(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort());
  return context;
}

const connectedFlows = async () =>
  (await wizard.services.database.db.selectFrom('oauth_flows').select(['id', 'browser_hash']).where('account_id', '=', 'browser-bound').where('status', '=', 'connected').execute());

describe('OAuth sign-in bound to the browser, third-party cookies blocked', () => {
  it('popup mode: the widget posts the launch into the popup, the provider returns to the callback, the sign-in connects', async () => {
    oauth.setConsent({ email: 'someone@gmail.com' });
    const before = (await connectedFlows()).length;
    const context = await newContext();
    const tab = await context.newPage();
    await tab.goto(`${pageOrigin}/`);
    await tab.locator('#ecw-email').waitFor();
    await tab.locator('#ecw-email').fill('someone@gmail.com');
    await tab.keyboard.press('Enter');
    await tab.getByRole('button', { name: /^(Continue|Sign in) with Google$/ }).waitFor();
    const popupOpened = context.waitForEvent('page');
    await tab.getByRole('button', { name: /^(Continue|Sign in) with Google$/ }).click();
    const popup = await popupOpened;
    await popup.waitForEvent('close', { timeout: 20_000 }).catch(() => undefined);
    await expect.poll(async () => (await connectedFlows()).length, { timeout: 20_000 }).toBe(before + 1);
    expect((await connectedFlows()).every((flow) => /^[0-9a-f]{64}$/.test(flow.browser_hash ?? ''))).toBe(true);
    // The cookie lived on the server's own site only, and is gone after the callback.
    expect((await context.cookies()).filter((cookie) => cookie.name.startsWith('ecw_oauth_'))).toEqual([]);
    await context.close();
  }, 90_000);

  it('redirect mode (popup blocked): the page itself posts the launch and comes back connected', async () => {
    oauth.setConsent({ email: 'someone@gmail.com' });
    const before = (await connectedFlows()).length;
    const context = await newContext();
    await context.addInitScript(() => {
      window.open = () => null;
    });
    const tab = await context.newPage();
    await tab.goto(`${pageOrigin}/`);
    await tab.locator('#ecw-email').waitFor();
    await tab.locator('#ecw-email').fill('someone@gmail.com');
    await tab.keyboard.press('Enter');
    await tab.getByRole('button', { name: /^(Continue|Sign in) with Google$/ }).click();
    // Off to the launch, the provider and the callback, then back to the host page.
    await tab.waitForURL((url) => url.origin === pageOrigin && url.searchParams.has('ecw_oauth_flow'), { timeout: 30_000 });
    expect(new URL(tab.url()).searchParams.get('ecw_oauth_status')).toBe('connected');
    await expect.poll(async () => (await connectedFlows()).length, { timeout: 20_000 }).toBe(before + 1);
    await context.close();
  }, 90_000);
});

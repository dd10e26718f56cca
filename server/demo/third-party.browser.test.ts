import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { launchChromium, listenOnLoopback as listen } from '../testing/browser.js';
import { createTestApp, TEST_API_KEY, TEST_BASE, type TestApp } from '../testing/app.js';
import { ensureWidgetBuilt } from '../../scripts/widget-build.mjs';
import { mountWidgetFiles } from '../http/widget-files.js';
import { createThirdPartyDemo } from './third-party.js';

/**
 * The third-party page in a real Chromium: served from one origin, the widget and the API from
 * another. Proves the script tag, CORS and the origin-bound session work together in a browser.
 * Only a built-in provider is looked up and no connection test is started, and every DNS query
 * the server might make goes to a loopback port: nothing leaves the machine.
 */

let wizard: TestApp;
let browser: Browser;
const servers: ServerType[] = [];
let pageOrigin: string;

beforeAll(async () => {
  await ensureWidgetBuilt();
  let thirdParty: { fetch: (request: Request) => Response | Promise<Response> } | undefined;
  const page = await listen((request) => thirdParty!.fetch(request));
  pageOrigin = page.origin;
  wizard = await createTestApp({ EMAIL_WIZARD_ALLOWED_ORIGINS: pageOrigin, EMAIL_WIZARD_DNS_SERVERS: '127.0.0.1:9' });
  mountWidgetFiles(wizard.app);
  const api = await listen(wizard.app.fetch);
  thirdParty = createThirdPartyDemo({ apiOrigin: api.origin, basePath: TEST_BASE, apiKey: TEST_API_KEY });
  servers.push(page.server, api.server);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await wizard?.close();
});

describe('third-party page in Chromium', () => {
  it('loads the widget by script tag from the other origin and walks to the sign-in step through CORS', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (error) => problems.push(error.message));
    // A safety net: the page may only reach loopback.
    await tab.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    await tab.goto(`${pageOrigin}/`);
    await tab.locator('#ecw-email').waitFor();
    expect(await tab.locator('#bound').textContent()).toBe(pageOrigin);
    await tab.locator('#ecw-email').fill('someone@gmail.com');
    await tab.keyboard.press('Enter');
    await tab.getByRole('heading', { name: 'Sign in to your mailbox' }).waitFor();
    expect(await tab.locator('email-config-wizard [part="detection"]').textContent()).toContain('Found: Gmail');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});

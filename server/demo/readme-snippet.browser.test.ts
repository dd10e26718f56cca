import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, listenOnLoopback as listen } from '../testing/browser.js';
import { ensureWidgetBuilt } from '../../scripts/widget-build.mjs';
import { createTestApp, TEST_API_KEY, TEST_BASE, type TestApp } from '../testing/app.js';
import { mountWidgetFiles } from '../http/widget-files.js';

/**
 * The README's own embedding snippet, read from README.md at test time, run in Chromium on
 * another origin against a real server that serves the prebuilt widget files. The snippet's
 * `https://wizard.example.com` becomes the test server; `/my-backend/email-session` is answered
 * by a host backend that calls `POST /sessions` exactly as the README describes. Only a
 * built-in provider is looked up and every DNS query goes to a dead loopback port.
 */
const README_ORIGIN = 'https://wizard.example.com';

/** The first ```html block under "### Embed it with one script tag". */
function readmeSnippet(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Embed it with one script tag'));
  const block = /```html\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md: no html block under "### Embed it with one script tag"');
  return block[1]!;
}

let wizard: TestApp;
let browser: Browser;
let apiOrigin: string;
let allowedPage: string;
let refusedPage: string;
const servers: ServerType[] = [];
const pages = new Map<string, string>();

/** A host application: serves `pages` by path and mints sessions bound to its own origin. */
function hostApp(): Hono {
  const app = new Hono();
  app.get('/:name', (c) => (pages.has(c.req.param('name')) ? c.html(pages.get(c.req.param('name'))!) : c.notFound()));
  app.post('/my-backend/email-session', async (c) => {
    const answer = await fetch(`${apiOrigin}${TEST_BASE}/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountId: 'readme-host', origin: new URL(c.req.url).origin }),
    });
    return c.json(await answer.json(), answer.status as 201);
  });
  return app;
}

beforeAll(async () => {
  await ensureWidgetBuilt();
  const allowed = await listen((request) => hostApp().fetch(request));
  const refused = await listen((request) => hostApp().fetch(request));
  allowedPage = allowed.origin;
  refusedPage = refused.origin;
  wizard = await createTestApp({ EMAIL_WIZARD_ALLOWED_ORIGINS: allowedPage, EMAIL_WIZARD_DNS_SERVERS: '127.0.0.1:9' });
  mountWidgetFiles(wizard.app);
  const api = await listen(wizard.app.fetch);
  apiOrigin = api.origin;
  servers.push(allowed.server, refused.server, api.server);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await wizard?.close();
});

interface Opened {
  tab: Page;
  problems: string[];
  errors: () => Promise<Array<{ code: string; message: string }>>;
  close: () => Promise<void>;
}

/**
 * Serves `head` and `body` as a page on `origin` and opens it. Only instrumentation is added
 * around the snippet: a listener that records `ecw-error` events.
 */
async function open(origin: string, parts: { head?: string; body: string }): Promise<Opened> {
  const name = `page-${pages.size}`;
  pages.set(
    name,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title>
<script>window.ecwErrors = []; document.addEventListener('ecw-error', (event) => window.ecwErrors.push(event.detail));</script>
${parts.head ?? ''}</head><body>${parts.body}</body></html>`,
  );
  const context = await browser.newContext();
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('pageerror', (error) => problems.push(error.message));
  // A safety net: the page may only reach loopback.
  await tab.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  await tab.goto(`${origin}/${name}`);
  return { tab, problems, errors: () => tab.evaluate(() => (window as unknown as { ecwErrors: Array<{ code: string; message: string }> }).ecwErrors), close: () => context.close() };
}

const snippet = () => readmeSnippet().replaceAll(README_ORIGIN, apiOrigin);
/** The snippet split where the README puts the script tag (`<head>`) and the rest (`<body>`). */
const headAndBody = (text: string) => {
  const cut = text.indexOf('<email-config-wizard');
  return { head: text.slice(0, cut), body: text.slice(cut) };
};
const wizardText = (tab: Page) => tab.locator('email-config-wizard').evaluate((element) => element.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '');

describe('the README snippet, verbatim, on another origin in Chromium', () => {
  it('script tag in <head>, then fetchSessionToken set on the element before it upgraded: the first step loads in German and detection works', async () => {
    const text = snippet();
    expect(text).toContain('wizard.fetchSessionToken =');
    const page = await open(allowedPage, headAndBody(text));
    await page.tab.locator('#ecw-email').waitFor({ timeout: 20_000 });
    expect(await page.tab.locator('email-config-wizard h2').textContent()).toContain('Support-Postfach verbinden');
    await page.tab.locator('#ecw-email').fill('someone@gmail.com');
    await page.tab.keyboard.press('Enter');
    await page.tab.locator('email-config-wizard [part="detection"]').waitFor();
    expect(await page.tab.locator('email-config-wizard [part="detection"]').textContent()).toContain('Gmail');
    expect(page.problems).toEqual([]);
    expect(await page.errors()).toEqual([]);
    await page.close();
  }, 60_000);

  it('the whole snippet in <body> as written works as well', async () => {
    const page = await open(allowedPage, { body: snippet() });
    await page.tab.locator('#ecw-email').waitFor({ timeout: 20_000 });
    expect(page.problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('fetchSessionToken set long after the element upgraded and connected is still used', async () => {
    const { head, body } = headAndBody(snippet());
    const [element, inline] = body.split('<script>');
    const late = `${element}<script>customElements.whenDefined('email-config-wizard').then(() => setTimeout(() => {${inline!.replace('</script>', '')}}, 300));</script>`;
    const page = await open(allowedPage, { head, body: late });
    await page.tab.locator('#ecw-email').waitFor({ timeout: 20_000 });
    expect(await page.errors()).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('any order of attributes', () => {
  it('api-base set only after the element connected (and showed the mistake): the widget starts over and loads', async () => {
    const { head, body } = headAndBody(snippet());
    const base = /api-base="([^"]*)"/.exec(body)![1]!;
    const late = `${body.replace(/ api-base="[^"]*"/, '')}<script>setTimeout(() => document.querySelector('email-config-wizard').setAttribute('api-base', ${JSON.stringify(base)}), 1500);</script>`;
    const page = await open(allowedPage, { head, body: late });
    await page.tab.locator('#ecw-email').waitFor({ timeout: 20_000 });
    expect((await page.errors()).map((error) => error.code)).toEqual(['API_NOT_FOUND']);
    expect(await page.tab.locator('email-config-wizard [role="alert"]').count()).toBe(0);
    expect(page.problems).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('integration mistakes get a clear, specific message at once', () => {
  const expectMessage = async (page: Opened, code: string, words: RegExp) => {
    await page.tab.waitForFunction((wanted) => (window as unknown as { ecwErrors: Array<{ code: string }> }).ecwErrors.some((error) => error.code === wanted), code, { timeout: 20_000 });
    expect(await wizardText(page.tab)).toMatch(words);
    // The page is German (locale="de"): the lead is too; the developer's detail stays English (lang="en").
    expect(await wizardText(page.tab)).toContain('Der Assistent ist auf dieser Seite nicht richtig eingebunden.');
    expect(await page.tab.locator('email-config-wizard [role="alert"] [lang="en"]').count()).toBe(1);
    expect(await page.tab.locator('#ecw-email').count()).toBe(0);
  };

  it('a page origin the server does not allow: ORIGIN_NOT_ALLOWED names the origin and EMAIL_WIZARD_ALLOWED_ORIGINS', async () => {
    const page = await open(refusedPage, headAndBody(snippet()));
    await expectMessage(page, 'ORIGIN_NOT_ALLOWED', new RegExp(`${refusedPage.replace(/[.]/g, '\\.')}.*EMAIL_WIZARD_ALLOWED_ORIGINS`));
    await page.close();
  }, 60_000);

  it('a wrong api-base: API_NOT_FOUND says nothing answers as the API there', async () => {
    const page = await open(allowedPage, headAndBody(snippet().replace('/api/email-settings"', '/api/wrong"')));
    await expectMessage(page, 'API_NOT_FOUND', /no email-config-wizard API at .*\/api\/wrong.*404/);
    await page.close();
  }, 60_000);

  it('a left-out api-base (the default path on the page’s own origin): API_NOT_FOUND', async () => {
    const page = await open(allowedPage, headAndBody(snippet().replace(/ api-base="[^"]*"/, '')));
    await expectMessage(page, 'API_NOT_FOUND', /no email-config-wizard API at \/api\/email-settings/);
    await page.close();
  }, 60_000);

  it('an api-base where nothing listens: API_UNREACHABLE', async () => {
    const page = await open(allowedPage, headAndBody(snippet().replace(/api-base="[^"]*"/, 'api-base="http://127.0.0.1:9/api/email-settings"')));
    await expectMessage(page, 'API_UNREACHABLE', /Nothing answers at http:\/\/127\.0\.0\.1:9\/api\/email-settings\/health/);
    await page.close();
  }, 60_000);

  it('no token at all: SESSION_TOKEN_MISSING names both ways to give one', async () => {
    const page = await open(allowedPage, headAndBody(snippet().replace(/\n\s*wizard\.fetchSessionToken = [^\n]*/, '')));
    await expectMessage(page, 'SESSION_TOKEN_MISSING', /session-token attribute or the fetchSessionToken property/);
    await page.close();
  }, 60_000);

  it('a token function that fails: SESSION_TOKEN_FAILED carries its message', async () => {
    const failing = snippet().replace(/wizard\.fetchSessionToken = [^\n]*/, "wizard.fetchSessionToken = () => Promise.reject(new Error('backend said no'));");
    const page = await open(allowedPage, headAndBody(failing));
    await expectMessage(page, 'SESSION_TOKEN_FAILED', /backend said no/);
    await page.close();
  }, 60_000);
});

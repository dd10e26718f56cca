import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openJourney, type JourneyContext } from '../support/browser.js';
import { control, JOURNEY_MAILBOXES, type StackInfo } from '../support/stack.js';

/**
 * The five journeys of a person connecting a mailbox, in Debian's Chromium, through the demo
 * pages served by the real server, against Dovecot, an SMTP server, a DNS server and an OAuth
 * server on loopback (inside a private network namespace: see e2e/journeys.test.ts).
 */
const stack = inject('stack') as StackInfo;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The widget's shadow root is open: Playwright's role and label locators reach into it. */
const wizard = (page: Page) => page.locator('email-config-wizard');
const heading = (page: Page, name: string | RegExp) => wizard(page).getByRole('heading', { name });
const button = (page: Page, name: string | RegExp) => wizard(page).getByRole('button', { name });

/** Opens the admin dashboard demo for `accountId` (its host backend mints the session). */
async function openDashboard(journey: JourneyContext, accountId: string): Promise<void> {
  await journey.page.route('**/demo/session', (route) => route.continue({ postData: JSON.stringify({ accountId }) }));
  await journey.page.goto(stack.url + '/');
}

async function hostRequest(path: string, init: { method: string; json?: unknown } = { method: 'GET' }): Promise<Response> {
  return fetch(`${stack.apiUrl}${path}`, {
    method: init.method,
    headers: { authorization: `Bearer ${stack.apiKey}`, ...(init.json ? { 'content-type': 'application/json' } : {}) },
    body: init.json ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
}

interface ImapOptions {
  host: string;
  port: number;
  secure: boolean;
  servername?: string;
  auth: { user: string; pass?: string; accessToken?: string };
}

/** Logs in with what the host credentials endpoint returned (the host name resolves only in the test DNS: connect to loopback). */
async function loginWith(options: ImapOptions): Promise<number> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: options.port,
    secure: options.secure,
    servername: options.servername ?? options.host,
    auth: options.auth as { user: string; pass: string },
    tls: { rejectUnauthorized: true },
    logger: false,
    connectionTimeout: 5000,
  });
  await client.connect();
  const status = await client.status('INBOX', { messages: true });
  await client.logout();
  return status.messages ?? 0;
}

async function finishSettings(journey: JourneyContext, fromName: string): Promise<void> {
  const { page } = journey;
  await expect.poll(() => heading(page, /settings|preferences/i).count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await wizard(page).getByLabel('Sender name').fill(fromName);
  await journey.screenshot('final-settings');
  await button(page, 'Save and finish').click();
  await heading(page, 'Your mailbox is connected').waitFor({ timeout: 10_000 });
  await journey.screenshot('saved');
}

describe('journey 1: a known provider with a password', () => {
  it('detects Posteo, tests IMAP and SMTP, saves, and the host logs into Dovecot with the credentials it gets', async () => {
    const { known } = JOURNEY_MAILBOXES;
    const journey = await openJourney(browser, 'j1-known-provider');
    try {
      const { page } = journey;
      await openDashboard(journey, 'journey-1');
      await wizard(page).getByLabel('Email address').fill(known.email);
      await journey.screenshot('address');
      await button(page, 'Continue').click();
      await wizard(page).getByText('Found: Posteo').waitFor({ timeout: 15_000 });
      await journey.screenshot('detected');
      await wizard(page).getByLabel(/password/i).first().fill(known.password);
      await button(page, 'Test connection').click();
      await finishSettings(journey, 'Posteo Support');
    } finally {
      await journey.close();
    }

    const saved = await hostRequest('/accounts/journey-1/settings');
    expect(saved.status).toBe(200);
    const settings = (await saved.json()) as { email: string; imap: { host: string; port: number }; fromName: string; status: string };
    expect(settings).toMatchObject({ email: known.email, imap: { host: 'posteo.de', port: 993 }, fromName: 'Posteo Support' });

    const credentials = await hostRequest('/accounts/journey-1/credentials', { method: 'POST' });
    expect(credentials.status).toBe(200);
    const { imap } = (await credentials.json()) as { imap: ImapOptions };
    expect(imap.auth).toEqual({ user: known.email, pass: known.password });
    expect(await loginWith(imap)).toBeGreaterThan(0);
  });
});

describe('journey 2: a custom domain on Google Workspace, with OAuth', () => {
  it('finds Workspace from the MX, signs in through the popup, tests over XOAUTH2 and saves', async () => {
    const { workspace } = JOURNEY_MAILBOXES;
    const journey = await openJourney(browser, 'j2-workspace-oauth');
    try {
      const { page, context } = journey;
      await openDashboard(journey, 'journey-2');
      await wizard(page).getByLabel('Email address').fill(workspace.email);
      await button(page, 'Continue').click();
      await wizard(page).getByText('Found: Google Workspace').waitFor({ timeout: 15_000 });
      await journey.screenshot('detected');
      const popupOpened = context.waitForEvent('page');
      await button(page, 'Continue with Google').click();
      const popup = await popupOpened;
      // The local OAuth server signs the person in as the mailbox's owner (set by the stack's consent default).
      await popup.waitForEvent('close', { timeout: 15_000 }).catch(() => undefined);
      await expect.poll(() => wizard(page).getByText('Receiving (IMAP)').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await journey.screenshot('testing');
      await finishSettings(journey, 'Acme Support');
    } finally {
      await journey.close();
    }
    const saved = (await (await hostRequest('/accounts/journey-2/settings')).json()) as { auth: { method: string; provider?: string }; imap: { host: string } };
    expect(saved.auth).toMatchObject({ method: 'oauth', provider: 'google' });
    expect(saved.imap.host).toBe('imap.gmail.com');
    const credentials = (await (await hostRequest('/accounts/journey-2/credentials', { method: 'POST' })).json()) as { imap: ImapOptions };
    expect(credentials.imap.auth.user).toBe(workspace.email);
    expect(await loginWith(credentials.imap)).toBeGreaterThanOrEqual(0);
    const seen = await control<{ tokens: string[] }>(stack, '/seen-tokens');
    expect(seen.tokens.length).toBeGreaterThan(0);
  });
});

describe('journey 3: an unknown domain, typed by hand', () => {
  it('explains AUTH_FAILED, focuses the password, and saves once it is fixed', async () => {
    const { manual } = JOURNEY_MAILBOXES;
    const journey = await openJourney(browser, 'j3-manual');
    try {
      const { page } = journey;
      await openDashboard(journey, 'journey-3');
      await wizard(page).getByLabel('Email address').fill(manual.email);
      await button(page, 'Continue').click();
      await wizard(page).getByLabel(/IMAP|server/i).first().waitFor({ timeout: 20_000 }).catch(() => undefined);
      await journey.screenshot('nothing-found');
      if ((await wizard(page).locator('input[name="imap.host"]').count()) === 0) await button(page, 'Set up manually').click();
      const form = wizard(page);
      await form.locator('input[name="imap.host"]').fill(manual.host);
      await form.locator('input[name="imap.port"]').fill('993');
      await form.locator('select[name="imap.security"]').selectOption('tls');
      await form.locator('input[name="smtp.host"]').fill(manual.host);
      await form.locator('input[name="smtp.port"]').fill('465');
      await form.locator('select[name="smtp.security"]').selectOption('tls');
      await form.locator('input[name="auth.password"]').fill(manual.wrongPassword);
      await journey.screenshot('manual-form');
      await button(page, 'Test connection').click();
      await wizard(page).getByText(/password|sign in|credentials/i).first().waitFor({ timeout: 20_000 });
      await expect.poll(() => wizard(page).locator('[role="alert"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      await journey.screenshot('auth-failed');
      await button(page, /Fix the setting/).click();
      const focused = await page.evaluate(() => document.querySelector('email-config-wizard')?.shadowRoot?.activeElement?.getAttribute('name'));
      expect(focused).toBe('auth.password');
      await journey.screenshot('password-focused');
      await form.locator('input[name="auth.password"]').fill(manual.password);
      await button(page, 'Test connection').click();
      await finishSettings(journey, 'Unknown Corp Desk');
    } finally {
      await journey.close();
    }
    const settings = (await (await hostRequest('/accounts/journey-3/settings')).json()) as { imap: { host: string }; lastTest?: { ok: boolean } };
    expect(settings.imap.host).toBe(manual.host);
    expect(settings.lastTest?.ok).toBe(true);
  });
});

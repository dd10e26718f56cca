import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import './index.js';
import type { EmailConfigWizard } from './email-config-wizard.js';
import { mockApi, type MockApi } from './testing/mock-api.js';
import { detection, savedSettings } from './testing/fixtures.js';
import { $, $$, atStep, button, failure, focused, freshAccount, open, success, text, toAuth, type } from './testing/wizard-driver.js';
import { texts as de } from './locales/de.js';

/**
 * How the wizard looks, reads and behaves for keyboard and screen-reader users (issue 15,
 * items 9 and 11–14): layout at 360 px, focus, contrast, language, reloads, provider details.
 */
let api: MockApi;
const GMAIL_HINTS = { appPassword: true, helpUrl: 'https://support.google.com/mail/answer/185833' };
const gmail = { provider: { id: 'gmail', name: 'Gmail', oauth: 'google' as const, supported: true, hints: GMAIL_HINTS } };

async function failedTest(el: EmailConfigWizard) {
  await toAuth(el);
  await type(el, '#ecw-password', 'pw');
  await sendKeys({ press: 'Enter' });
  await waitUntil(() => el.state.testResult !== null, 'tested');
  await el.updateComplete;
}

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, bl] = color.match(/[\d.]+/g)!.slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

/** The text a person sees: no hidden parts, no closed <details>, no part marked as the server's English. */
function visibleText(root: Node): string {
  const parts: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) return void parts.push(node.textContent ?? '');
    if (!(node instanceof Element)) return node.childNodes.forEach(walk);
    if (node.closest('[hidden], .visually-hidden, [lang="en"]:not(.panel)') || (node.parentElement?.closest('details:not([open])') && node.tagName !== 'SUMMARY')) return;
    if (node instanceof HTMLInputElement || node instanceof HTMLSelectElement) return;
    node.childNodes.forEach(walk);
  };
  walk(root);
  // What the person typed or the provider named stays as it is.
  return parts.join(' ').replace(/\S+@\S+|\b[\w-]+(\.[\w-]+)+\b|STARTTLS|TLS|IMAP|SMTP|Gmail|Google|Microsoft/g, ' ').replace(/\s+/g, ' ');
}
const ENGLISH = /\b(the|and|your|with|this|please|could|should|password|mailbox|settings|server name|connected|sign in|failed|works)\b/i;

describe('look, focus, language and details', () => {
  beforeEach(() => {
    sessionStorage.clear();
    api = mockApi('/api');
  });
  afterEach(async () => {
    api.restore();
    await setViewport({ width: 800, height: 600 });
  });

  it('9: at 360 px nothing scrolls sideways (long URLs wrap), one error block for one cause, the next action within the first screen', async () => {
    await setViewport({ width: 360, height: 800 });
    const longUrl = 'https://support.example-provider.com/articles/how-to/configure/imap-and-smtp/for/mail-programs/with/a/very/long/path?ref=wizard';
    freshAccount(api, { imap: { host: 'imap.a-very-long-subdomain-name.example-provider-with-long-name.com', port: 993, security: 'tls', username: 'support@company.com' } }).on('POST /test', {
      json: { ok: false, imap: failure('AUTH_FAILED', 'auth.password'), smtp: { ...failure('AUTH_FAILED', 'auth.password'), error: { ...failure('AUTH_FAILED', 'auth.password').error, sameCauseAs: 'imap' } } },
    });
    const el = await open();
    await failedTest(el);
    expect($$(el, '[role="alert"]')).to.have.length(1);
    expect(document.documentElement.scrollWidth).to.be.at.most(360);
    const action = button(el, 'Fix the setting');
    expect(action.getBoundingClientRect().bottom).to.be.at.most(800);
    // An unknown code shows the server's sentence (with its URL): it wraps inside the card.
    api.on('POST /test', { json: { ok: false, imap: failure('SOMETHING_NEW', 'imap.host', `See ${longUrl} for help.`), smtp: success } });
    button(el, 'Try again').click();
    await waitUntil(() => (el.state.testResult?.imap?.error?.code as string | undefined) === 'SOMETHING_NEW', 'new result');
    await el.updateComplete;
    expect(text(el)).to.contain(longUrl);
    expect(document.documentElement.scrollWidth).to.be.at.most(360);
    for (const alert of $$(el, '[role="alert"]')) expect(alert.scrollWidth).to.be.at.most(alert.clientWidth);
  });

  it('9: in German at 360 px the main action of a long failed test stays within the screen', async () => {
    await setViewport({ width: 360, height: 800 });
    freshAccount(api, { imap: { host: 'imap.gmail.com', port: 143, security: 'tls', username: 'support@company.com' }, smtp: { host: 'smtp.gmail.com', port: 465, security: 'starttls', username: 'support@company.com' } })
      .on('POST /test', { json: { ok: false, imap: failure('TLS_FAILED', 'imap.port'), smtp: failure('TLS_FAILED', 'smtp.security') } });
    const el = await open({ locale: 'de' });
    await waitUntil(() => $(el, 'h2')!.textContent === 'Support-Postfach verbinden', 'German');
    await failedTest(el);
    const action = button(el, 'Einstellung korrigieren');
    expect(el.getBoundingClientRect().bottom, 'the step is taller than the screen').to.be.above(800);
    expect(action.getBoundingClientRect().bottom).to.be.at.most(800);
    expect(action.getBoundingClientRect().top).to.be.at.least(0);
  });

  it('9: the manual form has no empty space in the SMTP box (boxes are as tall as their content)', async () => {
    await setViewport({ width: 1280, height: 900 });
    freshAccount(api);
    const el = await open();
    await toAuth(el);
    button(el, 'Set up manually').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    const [imap, smtp] = $$(el, 'fieldset');
    expect(smtp!.getBoundingClientRect().top).to.equal(imap!.getBoundingClientRect().top);
    expect(smtp!.getBoundingClientRect().height).to.be.below(imap!.getBoundingClientRect().height);
  });

  it('11: focus is never lost — View connection, Disconnect (Escape closes the question), and the next field after detection', async () => {
    freshAccount(api, gmail).on('POST /test', { json: { ok: true, imap: success, smtp: success } }).on('PUT /settings', { json: savedSettings() });
    const el = await open();
    await toAuth(el);
    expect(focused(el) === button(el, 'Sign in with Google'), 'focus on the next action').to.equal(true);
    await type(el, '#ecw-password', 'pw');
    await sendKeys({ press: 'Enter' });
    await atStep(el, 'final');
    button(el, 'Save and finish').click();
    await atStep(el, 'done');
    api.on('GET /settings', { json: savedSettings() }).on('DELETE /settings', { status: 204 });
    button(el, 'View connection').click();
    await atStep(el, 'overview');
    await el.updateComplete;
    expect(focused(el), 'focus after View connection').to.not.equal(null);
    expect(focused(el)!.tagName).to.equal('H2');
    const disconnect = button(el, 'Disconnect');
    disconnect.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    await waitUntil(() => focused(el)?.textContent?.trim() === 'Keep it', 'focus on the safe choice');
    const destructive = $(el, 'button.destructive')!;
    expect(getComputedStyle(destructive).backgroundColor).to.equal('rgb(180, 35, 24)');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(text(el)).not.to.contain('Disconnect this mailbox?');
    await waitUntil(() => focused(el)?.hasAttribute('data-disconnect') === true, 'focus back on Disconnect');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    $(el, 'button.destructive')!.click();
    await atStep(el, 'address');
    await el.updateComplete;
    await waitUntil(() => focused(el)?.id === 'ecw-email', 'focus on the address field once it is usable');
  });

  for (const theme of ['light', 'dark']) {
    it(`11: input borders and the focus ring reach 3:1 against the background (${theme})`, async () => {
      freshAccount(api);
      const el = await open({ theme });
      const panel = getComputedStyle($(el, '.panel')!).backgroundColor;
      const input = $<HTMLInputElement>(el, '#ecw-email')!;
      expect(contrast(getComputedStyle(input).borderTopColor, panel), 'input border').to.be.at.least(3);
      input.focus();
      await sendKeys({ press: 'a' });
      const ring = getComputedStyle(input);
      expect(ring.outlineStyle).to.equal('solid');
      expect(contrast(ring.outlineColor, panel), 'focus ring').to.be.at.least(3);
      const primary = $(el, 'button.primary')!;
      primary.focus();
      await sendKeys({ press: 'Shift' });
      expect(contrast(getComputedStyle(primary).outlineColor, panel), 'focus ring on a button').to.be.at.least(3);
      await expect(el).to.be.accessible();
    });
  }

  for (const locale of ['de', 'fr', 'es']) {
    it(`12: every step reads in ${locale} (no English left), the specific fix included`, async () => {
      freshAccount(api, { ...gmail, imap: { host: 'imap.gmail.com', port: 143, security: 'tls', username: 'support@company.com' } })
        .on('POST /test', [
          { json: { ok: false, imap: failure('TLS_FAILED', 'imap.port', 'Port 143 expects STARTTLS, not TLS.'), smtp: failure('AUTH_FAILED', 'auth.password') } },
          { json: { ok: true, imap: success, smtp: success } },
        ])
        .on('PUT /settings', { json: savedSettings() });
      const el = await open({ locale });
      const seen: Record<string, string> = {};
      const look = async (step: string) => {
        await el.updateComplete;
        seen[step] = visibleText(el.shadowRoot!);
        expect(seen[step].match(ENGLISH)?.[0], `English on the ${step} step in ${locale}: ${seen[step]}`).to.equal(undefined);
      };
      await waitUntil(() => $(el, 'h2')!.textContent !== 'Connect your support mailbox', 'translated');
      await look('address');
      await toAuth(el);
      await look('auth');
      await type(el, '#ecw-password', 'pw');
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => el.state.testResult !== null, 'tested');
      await look('test');
      expect(seen.test).to.match(/143/);
      expect($(el, '[data-protocol="imap"]')!.textContent).to.match({ de: /Port 143 erwartet STARTTLS/, fr: /Le port 143 attend STARTTLS/, es: /El puerto 143 espera STARTTLS/ }[locale]!);
      button(el, { de: 'Einstellung korrigieren', fr: 'Corriger le réglage', es: 'Corregir el ajuste' }[locale]!).click();
      await atStep(el, 'manual');
      await look('manual');
      await type(el, '#ecw-imap\\.port', '993');
      await type(el, '#ecw-auth\\.password', 'pw2');
      await sendKeys({ press: 'Enter' });
      await atStep(el, 'final');
      await look('final');
      $<HTMLButtonElement>(el, 'button[type=submit]')!.click();
      await atStep(el, 'done');
      await look('done');
    });
  }

  it('12: the English detector itself finds English (so the checks above can fail)', async () => {
    freshAccount(api, gmail);
    const el = await open({ locale: 'en' });
    await toAuth(el);
    expect(visibleText(el.shadowRoot!)).to.match(ENGLISH);
  });

  it('12: the German texts fixed — no "Letzte Einstellungen", and "Certain" is not "Sicher" (secure)', () => {
    expect(de['final.title']).to.not.equal('Letzte Einstellungen');
    expect(de['conf.high']).to.not.equal('Sicher');
    expect(de['addr.looked']).to.not.equal('Nachgesehen');
  });

  it('13: a reload on the final step keeps the sender name and asks only for the password (never stored) right there', async () => {
    freshAccount(api).on('POST /test', { json: { ok: true, imap: success, smtp: success } }).on('PUT /settings', { json: savedSettings() });
    const el = await open();
    await toAuth(el);
    await type(el, '#ecw-password', 'first-secret');
    await sendKeys({ press: 'Enter' });
    await atStep(el, 'final');
    await type(el, '#ecw-from', 'Acme Support');
    expect(JSON.stringify(sessionStorage)).not.to.contain('first-secret');
    expect(JSON.stringify(sessionStorage)).to.contain('Acme Support');
    el.remove();
    const again = await open();
    expect(again.state.step).to.equal('final');
    expect($<HTMLInputElement>(again, '#ecw-from')!.value).to.equal('Acme Support');
    expect(text(again)).to.contain('the password is not kept when the page reloads');
    expect(button(again, 'Save and finish').disabled).to.equal(false);
    button(again, 'Save and finish').click();
    await again.updateComplete;
    expect(api.callsTo('PUT /settings')).to.have.length(0);
    expect(focused(again)?.id).to.equal('ecw-password');
    await type(again, '#ecw-password', 'second-secret');
    button(again, 'Save and finish').click();
    await atStep(again, 'done');
    expect(api.callsTo('PUT /settings')[0]!.body).to.deep.include({ fromName: 'Acme Support', auth: { method: 'password', password: 'second-secret' } });
  });

  it('13: values typed into the manual form survive a reload', async () => {
    freshAccount(api, { provider: null, imap: null, smtp: null, notes: [] });
    const el = await open();
    await toAuth(el);
    button(el, 'Set up manually').click();
    await atStep(el, 'manual');
    await type(el, '#ecw-imap\\.host', 'mail.company.example');
    await type(el, '#ecw-smtp\\.port', '2525');
    el.remove();
    const again = await open();
    expect(again.state.step).to.equal('manual');
    expect($<HTMLInputElement>(again, '#ecw-imap\\.host')!.value).to.equal('mail.company.example');
    expect($<HTMLInputElement>(again, '#ecw-smtp\\.port')!.value).to.equal('2525');
  });

  it('13: Reconnect asks for the current password without calling it wrong; edit views are not the setup (no step bar, "Save changes")', async () => {
    api
      .on('GET /settings', { json: savedSettings({ status: 'failing' }) })
      .on('GET /oauth/providers', { json: { google: { configured: false }, microsoft: { configured: false } } });
    const el = await open();
    button(el, 'Reconnect').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    const password = $<HTMLInputElement>(el, '#ecw-auth\\.password')!;
    expect(password.getAttribute('aria-invalid')).to.equal('false');
    expect(password.required).to.equal(true);
    expect(text(el)).to.contain("Enter the mailbox's current password.");
    expect(focused(el) === password, 'focus on the password to enter').to.equal(true);
    expect($(el, 'h2')!.textContent).to.equal('Reconnect');
    expect(text(el)).not.to.contain('Leave empty');
    expect($(el, 'nav')).to.equal(null);
    button(el, 'Back').click();
    await atStep(el, 'overview');
    button(el, 'Preferences').click();
    await atStep(el, 'final');
    await el.updateComplete;
    expect($(el, 'nav')).to.equal(null);
    expect($(el, 'h2')!.textContent).to.equal('Preferences');
    expect(button(el, 'Save changes')).to.exist;
    expect(() => button(el, 'Save and finish')).to.throw();
  });

  it("14: the app-password help is a link; sign-in buttons follow Google's and Microsoft's branding; a show-password toggle", async () => {
    // The hints arrive as the stream's `provider` event (the result itself keeps the contract's shape).
    freshAccount(api).on('POST /detect', {
      sse: [
        { event: 'provider', data: { id: 'gmail', hints: GMAIL_HINTS } },
        { event: 'result', data: detection({ provider: { id: 'gmail', name: 'Gmail', oauth: 'google', supported: true } }) },
      ],
    });
    const el = await open();
    await toAuth(el);
    const link = $<HTMLAnchorElement>(el, `a[href="${GMAIL_HINTS.helpUrl}"]`)!;
    expect(link.textContent).to.equal('How to create an app password');
    expect(link.target).to.equal('_blank');
    expect(link.rel).to.contain('noopener');
    const google = getComputedStyle(button(el, 'Sign in with Google'));
    expect([google.backgroundColor, google.borderTopColor, google.color]).to.deep.equal(['rgb(255, 255, 255)', 'rgb(116, 119, 117)', 'rgb(31, 31, 31)']);
    expect(button(el, 'Sign in with Google').querySelector('svg')).to.not.equal(null);
    el.setAttribute('theme', 'dark');
    expect(getComputedStyle(button(el, 'Sign in with Google')).backgroundColor).to.equal('rgb(19, 19, 20)');
    const input = $<HTMLInputElement>(el, '#ecw-password')!;
    const toggle = $<HTMLButtonElement>(el, 'button.reveal')!;
    toggle.click();
    expect(input.type).to.equal('text');
    expect(toggle.getAttribute('aria-pressed')).to.equal('true');
    toggle.click();
    expect(input.type).to.equal('password');
    await expect(el).to.be.accessible();
  });

  it('14: a fresh account is an expected state, not an error: GET /settings?optional=true answers 204 (no 404 in the console)', async () => {
    freshAccount(api).on('GET /settings', { status: 204 });
    const el = await open();
    expect(el.state.step).to.equal('address');
    const [load] = api.callsTo('GET /settings');
    expect(load!.query.get('optional')).to.equal('true');
    expect($(el, '[role="alert"]')).to.equal(null);
  });

  it("14: Microsoft's button: white, #8C8C8C outline, #5E5E5E text, the four-square logo", async () => {
    freshAccount(api, { provider: { id: 'microsoft-365', name: 'Microsoft 365', oauth: 'microsoft', supported: true }, authMethods: ['oauth'] });
    const el = await open();
    await toAuth(el);
    const microsoft = button(el, 'Sign in with Microsoft');
    const style = getComputedStyle(microsoft);
    expect([style.backgroundColor, style.borderTopColor, style.color]).to.deep.equal(['rgb(255, 255, 255)', 'rgb(140, 140, 140)', 'rgb(94, 94, 94)']);
    expect(microsoft.querySelectorAll('svg rect')).to.have.length(4);
  });
});

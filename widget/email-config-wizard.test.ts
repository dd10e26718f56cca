import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import './index.js';
import type { EmailConfigWizard } from './email-config-wizard.js';
import { apiError, mockApi, type MockApi } from './testing/mock-api.js';
import { detection, failedPortTest, passedTest, savedSettings } from './testing/fixtures.js';

const BASE = '/api';
let api: MockApi;

const $ = <T extends Element = HTMLElement>(el: EmailConfigWizard, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const $$ = (el: EmailConfigWizard, selector: string) => [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
const text = (el: EmailConfigWizard) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
const heading = (el: EmailConfigWizard) => $(el, 'h2')?.textContent?.trim() ?? '';
const button = (el: EmailConfigWizard, label: string | RegExp) => {
  const found = $$(el, 'button').find((b) => (typeof label === 'string' ? b.textContent!.trim() === label : label.test(b.textContent!)));
  if (!found) throw new Error(`no button ${label} in: ${text(el)}`);
  return found as HTMLButtonElement;
};
const atStep = (el: EmailConfigWizard, step: string) => waitUntil(() => el.state.step === step && !el.busy, `step ${step} (now ${el.state.step})`);
async function type(el: EmailConfigWizard, selector: string, value: string) {
  const input = $<HTMLInputElement>(el, selector)!;
  input.focus();
  input.value = '';
  await sendKeys({ type: value });
}

async function open(attrs: { locale?: string } = {}) {
  const el = await fixture<EmailConfigWizard>(
    html`<email-config-wizard api-base=${BASE} session-token="tok-1" locale=${attrs.locale ?? 'en'}></email-config-wizard>`,
  );
  await waitUntil(() => el.state.step !== 'loading', 'loaded');
  await el.updateComplete;
  return el;
}

/** A fresh account where detection finds Google Workspace and the server has Google configured. */
function freshAccount(options: { googleConfigured?: boolean } = {}) {
  return api
    .on('GET /settings', apiError(404, 'NOT_CONFIGURED', 'No mailbox is connected yet.'))
    .on('GET /oauth/providers', { json: { google: { configured: options.googleConfigured ?? true }, microsoft: { configured: false } } })
    .on('POST /detect', {
      sse: [
        { event: 'source', data: { source: 'builtin', status: 'start' } },
        { event: 'source', data: { source: 'mx', status: 'start' } },
        { event: 'source', data: { source: 'builtin', status: 'end', found: false, ms: 1 } },
        { event: 'source', data: { source: 'mx', status: 'end', found: true, ms: 9 } },
        { event: 'result', data: detection() },
      ],
    });
}

async function toAuthStep(el: EmailConfigWizard) {
  await type(el, '#ecw-email', 'support@company.com');
  await sendKeys({ press: 'Enter' });
  await atStep(el, 'auth');
  await el.updateComplete;
}

describe('<email-config-wizard>', () => {
  beforeEach(() => {
    sessionStorage.clear();
    api = mockApi(BASE);
  });
  afterEach(() => api.restore());

  it('address step: live validation marks a bad address, and the step passes the accessibility audit', async () => {
    freshAccount();
    const el = await open();
    expect(heading(el)).to.equal('Connect your support mailbox');
    await type(el, '#ecw-email', 'support@');
    const input = $<HTMLInputElement>(el, '#ecw-email')!;
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#ecw-email-error')!.hidden).to.equal(false);
    await sendKeys({ press: 'Enter' });
    expect(api.callsTo('POST /detect')).to.have.length(0);
    await type(el, '#ecw-email', 'support@company.com');
    expect(input.getAttribute('aria-invalid')).to.equal('false');
    await expect(el).to.be.accessible();
  });

  it('detects with streamed progress (keyboard only), shows the provider and focuses the next action (the sign-in button)', async () => {
    freshAccount();
    const el = await open();
    const changes: unknown[] = [];
    el.addEventListener('ecw-step-change', (event) => changes.push((event as CustomEvent).detail));
    await toAuthStep(el);
    const call = api.callsTo('POST /detect')[0]!;
    expect(call.body).to.deep.equal({ email: 'support@company.com' });
    expect(call.headers.get('authorization')).to.equal('Bearer tok-1');
    expect(call.headers.get('accept')).to.contain('text/event-stream');
    expect(el.sources).to.deep.equal([{ source: 'builtin', status: 'none' }, { source: 'mx', status: 'found' }]);
    expect(text(el)).to.contain('Found: Google Workspace');
    expect(text(el)).to.contain('Certain');
    expect(el.shadowRoot!.activeElement === button(el, 'Sign in with Google'), 'focus on the sign-in button').to.equal(true);
    expect(changes).to.deep.include({ step: 'auth', previousStep: 'address', stage: 'signin' });
    expect($(el, '[aria-current="step"]')!.textContent).to.contain('Sign in');
    await expect(el).to.be.accessible();
  });

  it('offers "Continue with Google" only when the server has Google configured; else the password with the hint', async () => {
    freshAccount({ googleConfigured: false });
    const el = await open();
    await toAuthStep(el);
    expect(() => button(el, 'Sign in with Google')).to.throw();
    expect(text(el)).to.contain('App passwords');
    expect($(el, '#ecw-password')!.getAttribute('aria-describedby')).to.equal('ecw-password-hint');
  });

  it('theme="dark" swaps the palette; a host --ecw-* property still wins', async () => {
    freshAccount();
    const el = await open();
    const token = (name: string) => getComputedStyle(el).getPropertyValue(name).trim();
    expect(token('--_bg')).to.equal('#ffffff');
    el.setAttribute('theme', 'dark');
    expect(token('--_bg')).to.equal('#161b22');
    expect(getComputedStyle(el).colorScheme).to.equal('dark');
    el.style.setProperty('--ecw-color-background', 'rgb(1, 2, 3)');
    expect(token('--_bg')).to.equal('rgb(1, 2, 3)');
  });

  it('offers no password form where the provider refuses passwords (authMethods without "password")', async () => {
    api
      .on('GET /settings', apiError(404, 'NOT_CONFIGURED', 'No mailbox is connected yet.'))
      .on('GET /oauth/providers', { json: { google: { configured: false }, microsoft: { configured: true } } })
      .on('POST /detect', {
        json: detection({
          provider: { id: 'outlook', name: 'Outlook.com', oauth: 'microsoft', supported: true },
          authMethods: ['oauth'],
          notes: ['Outlook.com accounts connect with Sign in with Microsoft.'],
        }),
      });
    const el = await open();
    await toAuthStep(el);
    expect(button(el, 'Sign in with Microsoft')).to.exist;
    expect($(el, '#ecw-password')).to.equal(null);
    expect(text(el)).to.contain('Sign in with Microsoft');
    expect(button(el, 'Set up manually')).to.exist;
    await expect(el).to.be.accessible();
  });

  it('password path: test phases shown, then final settings saved with PUT, done with a secret-free ecw-complete', async () => {
    freshAccount().on('POST /test', {
      sse: [
        { event: 'phase', data: { protocol: 'imap', name: 'connect', ok: true, ms: 12 } },
        { event: 'phase', data: { protocol: 'smtp', name: 'connect', ok: true, ms: 10 } },
        { event: 'result', data: passedTest },
      ],
    });
    api.on('PUT /settings', { json: savedSettings() });
    const el = await open();
    await toAuthStep(el);
    await type(el, '#ecw-password', 's3cret-pw');
    await sendKeys({ press: 'Enter' });
    await atStep(el, 'final');
    expect(api.callsTo('POST /test')[0]!.body).to.deep.include({ auth: { method: 'password', password: 's3cret-pw' } });
    expect(JSON.stringify(sessionStorage)).not.to.contain('s3cret-pw');
    await expect(el).to.be.accessible();

    const deleteBox = $<HTMLInputElement>(el, 'input[name="delete"]')!;
    expect(deleteBox.checked).to.equal(false);
    expect($(el, '#ecw-delete-warning')!.hidden).to.equal(true);
    deleteBox.focus();
    await sendKeys({ press: 'Space' });
    expect(deleteBox.checked).to.equal(true);
    expect($(el, '#ecw-delete-warning')!.hidden).to.equal(false);
    await sendKeys({ press: 'Space' });
    await type(el, '#ecw-from', 'Company Support');
    const complete = oneEvent(el, 'ecw-complete');
    button(el, 'Save and finish').click();
    const { detail } = await complete;
    await atStep(el, 'done');
    const put = api.callsTo('PUT /settings')[0]!.body as Record<string, unknown>;
    expect(put).to.deep.include({ email: 'support@company.com', fromName: 'Company Support', checkIntervalSeconds: 300, deleteAfterProcessing: false });
    expect(put.auth).to.deep.equal({ method: 'password', password: 's3cret-pw' });
    expect(detail).to.deep.include({ email: 'support@company.com', authMethod: 'password', provider: 'google-workspace', fromName: 'Company Support' });
    expect(JSON.stringify(detail)).not.to.contain('s3cret-pw');
    expect(text(el)).to.contain('imap.gmail.com:993');
    await expect(el).to.be.accessible();
  });

  it('test failure: explains with steps, highlights and focuses the field at fault, retries', async () => {
    freshAccount()
      .on('POST /detect', { json: detection({ imap: { host: 'imap.gmail.com', port: 143, security: 'tls', username: 'support@company.com' } }) })
      .on('POST /test', [{ json: failedPortTest }, { json: passedTest }]);
    const el = await open();
    await toAuthStep(el);
    await type(el, '#ecw-password', 'pw');
    await sendKeys({ press: 'Enter' });
    await atStep(el, 'test');
    await waitUntil(() => el.state.testResult !== null, 'test result');
    await el.updateComplete;
    const alert = $(el, '[role="alert"]')!;
    expect(alert.textContent).to.contain('Port 143 expects STARTTLS');
    expect(alert.textContent).to.contain('use port 993 with TLS');
    await expect(el).to.be.accessible();
    button(el, 'Fix the setting').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    const port = $<HTMLInputElement>(el, '#ecw-imap\\.port')!;
    expect(port.getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.activeElement).to.equal(port);
    await expect(el).to.be.accessible();
    await sendKeys({ press: 'Backspace' });
    await sendKeys({ press: 'Backspace' });
    await sendKeys({ press: 'Backspace' });
    await sendKeys({ type: '993' });
    button(el, 'Test connection').click();
    await atStep(el, 'final');
    expect((api.callsTo('POST /test')[1]!.body as { imap: { port: number } }).imap.port).to.equal(993);
  });

  it('manual setup: prefilled, "same credentials" toggles the SMTP fields, alternatives fill the form', async () => {
    freshAccount().on('POST /detect', {
      json: detection({
        alternatives: [{ imap: { host: 'mail.company.com', port: 143, security: 'starttls', username: 'support@company.com' }, smtp: null, source: 'guess' }],
      }),
    });
    const el = await open();
    await toAuthStep(el);
    button(el, 'Set up manually').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#ecw-imap\\.host')!.value).to.equal('imap.gmail.com');
    const smtpUser = $(el, '[data-smtp-credentials]')!;
    expect(smtpUser.hidden).to.equal(true);
    $<HTMLInputElement>(el, 'input[name="same"]')!.click();
    expect(smtpUser.hidden).to.equal(false);
    button(el, /mail\.company\.com:143/).click();
    expect($<HTMLInputElement>(el, '#ecw-imap\\.host')!.value).to.equal('mail.company.com');
    expect($<HTMLSelectElement>(el, '#ecw-imap\\.security')!.value).to.equal('starttls');
    await expect(el).to.be.accessible();
  });

  it('a save refused for a server setting returns to the manual form with that field marked and focused', async () => {
    freshAccount().on('POST /test', { json: passedTest }).on('PUT /settings', apiError(400, 'INSECURE_CONNECTION', 'Choose TLS or STARTTLS for SMTP.', 'smtp.security'));
    const el = await open();
    await toAuthStep(el);
    await type(el, '#ecw-password', 'pw');
    await sendKeys({ press: 'Enter' });
    await atStep(el, 'final');
    button(el, 'Save and finish').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    const security = $<HTMLSelectElement>(el, '#ecw-smtp\\.security')!;
    expect(security.getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.activeElement).to.equal(security);
    expect($(el, '[role="alert"]')!.textContent).to.contain('choose TLS or STARTTLS');
    await expect(el).to.be.accessible();
  });

  it('shows an API error as an alert and fires ecw-error', async () => {
    freshAccount().on('POST /detect', apiError(400, 'INVALID_EMAIL', 'This is not an email address.', 'email'));
    const el = await open();
    const failed = oneEvent(el, 'ecw-error');
    await type(el, '#ecw-email', 'support@company.com');
    await sendKeys({ press: 'Enter' });
    const { detail } = await failed;
    expect(detail).to.deep.equal({ code: 'INVALID_EMAIL', message: 'This is not an email address.', step: 'address' });
    await el.updateComplete;
    expect($(el, '[role="alert"]')!.textContent).to.contain('Enter an address like support@example.com.');
    expect(el.state.step).to.equal('address');
  });

  it('OAuth: the outcome comes from the flow status (popup without opener), then the test runs', async () => {
    freshAccount()
      .on('POST /oauth/google', { json: { authorizationUrl: 'https://accounts.example/auth?x=1', flowId: 'flow-1' } })
      .on('GET /oauth/flows/flow-1', [{ json: { status: 'pending' } }, { json: { status: 'connected', email: 'support@company.com' } }])
      .on('POST /test', { json: passedTest });
    const popup = { closed: false, location: { href: '' }, close() { this.closed = true; } };
    const originalOpen = window.open;
    window.open = () => popup as unknown as Window;
    try {
      const el = await open();
      await toAuthStep(el);
      // Keyboard only: detection leaves the focus on "Sign in with Google".
      expect(el.shadowRoot!.activeElement === button(el, 'Sign in with Google'), 'focus on the sign-in button').to.equal(true);
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => el.state.oauthFlowId === 'flow-1', 'flow started');
      await el.updateComplete;
      expect(popup.location.href).to.equal('https://accounts.example/auth?x=1');
      expect(text(el)).to.contain('Finish signing in');
      await expect(el).to.be.accessible();
      // The callback page's postMessage (from the API's origin) only wakes the poll early.
      await waitUntil(() => api.callsTo('GET /oauth/flows/flow-1').length === 1, 'first poll');
      window.postMessage({ type: 'ecw-oauth', flowId: 'flow-1' }, window.location.origin);
      await atStep(el, 'final');
      expect(popup.closed).to.equal(true);
      expect(api.callsTo('POST /test')[0]!.body).to.deep.include({ auth: { method: 'oauth', provider: 'google' } });
    } finally {
      window.open = originalOpen;
    }
  });

  it('OAuth: a denied consent is shown, and cancel fires ecw-cancel', async () => {
    freshAccount()
      .on('POST /oauth/google', { json: { authorizationUrl: 'https://accounts.example/auth', flowId: 'flow-2' } })
      .on('GET /oauth/flows/flow-2', { json: { status: 'failed', error: { code: 'OAUTH_CONSENT_DENIED', message: 'Access was denied at Google.' } } });
    const originalOpen = window.open;
    window.open = () => ({ closed: false, location: { href: '' }, close() {} }) as unknown as Window;
    try {
      const el = await open();
      await toAuthStep(el);
      button(el, 'Sign in with Google').click();
      await waitUntil(() => $(el, '[role="alert"]') !== null, 'denied shown');
      expect($(el, '[role="alert"]')!.textContent).to.contain('Access was not granted.');
      const cancelled = oneEvent(el, 'ecw-cancel');
      button(el, 'Cancel').click();
      expect((await cancelled).detail).to.deep.equal({ step: 'oauth' });
      await atStep(el, 'auth');
    } finally {
      window.open = originalOpen;
    }
  });

  it('OAuth: a blocked popup falls back to redirect mode and resumes after the reload', async () => {
    freshAccount()
      .on('POST /oauth/google', { json: { authorizationUrl: 'https://accounts.example/auth', flowId: 'flow-3' } })
      .on('GET /oauth/flows/flow-3', { json: { status: 'connected' } })
      .on('POST /test', { json: passedTest });
    const originalOpen = window.open;
    window.open = () => null;
    try {
      const el = await open();
      let navigatedTo = '';
      (el as unknown as { navigate: (url: string) => void }).navigate = (url) => (navigatedTo = url);
      await toAuthStep(el);
      button(el, 'Sign in with Google').click();
      await waitUntil(() => navigatedTo !== '', 'redirected');
      expect(navigatedTo).to.equal('https://accounts.example/auth');
      expect(api.callsTo('POST /oauth/google')[0]!.body).to.deep.equal({ email: 'support@company.com', returnUrl: window.location.href });
      el.remove();
      // "Back from the provider": a new element on the same page resumes from sessionStorage.
      const again = await fixture<EmailConfigWizard>(html`<email-config-wizard api-base=${BASE} session-token="tok-1" locale="en"></email-config-wizard>`);
      await atStep(again, 'final');
      expect(api.callsTo('GET /oauth/flows/flow-3').length).to.be.greaterThan(0);
    } finally {
      window.open = originalOpen;
    }
  });

  it('resumes after a reload mid-flow, asking for the password again (never stored)', async () => {
    freshAccount().on('POST /test', { json: failedPortTest });
    const el = await open();
    await toAuthStep(el);
    await type(el, '#ecw-password', 'topsecret');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state.testResult !== null, 'tested');
    expect(JSON.stringify(sessionStorage)).not.to.contain('topsecret');
    el.remove();
    const again = await open();
    expect(again.state.step).to.equal('auth');
    expect(again.state.email).to.equal('support@company.com');
    expect(text(again)).to.contain('Please enter it again');
    await expect(again).to.be.accessible();
  });

  it('keeps the resumable flow of one account away from another account', async () => {
    freshAccount();
    const tokenFor = (account: string) => `ecw1.${btoa(JSON.stringify({ acc: account })).replace(/=+$/, '')}.sig`;
    const first = await fixture<EmailConfigWizard>(html`<email-config-wizard api-base=${BASE} session-token=${tokenFor('acme')} locale="en"></email-config-wizard>`);
    await atStep(first, 'address');
    await toAuthStep(first);
    first.remove();
    const other = await fixture<EmailConfigWizard>(html`<email-config-wizard api-base=${BASE} session-token=${tokenFor('globex')} locale="en"></email-config-wizard>`);
    await atStep(other, 'address');
    expect(other.state.email).to.equal('');
    other.remove();
    const again = await fixture<EmailConfigWizard>(html`<email-config-wizard api-base=${BASE} session-token=${tokenFor('acme')} locale="en"></email-config-wizard>`);
    await atStep(again, 'auth');
    expect(again.state.email).to.equal('support@company.com');
  });

  it('opened on a configured account: shows its state; needs-reauth offers Reconnect; disconnect asks first', async () => {
    api
      .on('GET /settings', { json: savedSettings({ status: 'needs_reauth', auth: { method: 'oauth', provider: 'google', account: 'support@company.com', connected: true, needsReauthorization: true } }) })
      .on('GET /oauth/providers', { json: { google: { configured: true }, microsoft: { configured: true } } })
      .on('DELETE /settings', { status: 204 });
    const el = await open();
    expect(el.state.step).to.equal('overview');
    expect(text(el)).to.contain('Sign-in needed');
    expect(text(el)).to.contain('imap.company.com:993');
    button(el, 'Reconnect');
    await expect(el).to.be.accessible();
    button(el, 'Disconnect').click();
    await el.updateComplete;
    expect(text(el)).to.contain('Disconnect this mailbox?');
    await expect(el).to.be.accessible();
    button(el, 'Disconnect').click();
    await atStep(el, 'address');
    expect(api.callsTo('DELETE /settings')).to.have.length(1);
  });

  it('re-tests a saved password configuration without sending a password', async () => {
    api
      .on('GET /settings', { json: savedSettings() })
      .on('GET /oauth/providers', { json: { google: { configured: false }, microsoft: { configured: false } } })
      .on('POST /test', { json: passedTest });
    const el = await open();
    button(el, 'Test again').click();
    await waitUntil(() => el.state.testResult?.ok === true, 'passed');
    expect(api.callsTo('POST /test')[0]!.body).to.deep.equal({ imap: savedSettings().imap, smtp: savedSettings().smtp });
    await el.updateComplete;
    button(el, 'Done').click();
    await atStep(el, 'overview');
  });

  it('prefills the email attribute, and a failed first load offers to try again', async () => {
    api
      .on('GET /settings', [apiError(500, 'INTERNAL', 'The server failed.'), apiError(404, 'NOT_CONFIGURED', 'Nothing.')])
      .on('GET /oauth/providers', { json: { google: { configured: false }, microsoft: { configured: false } } });
    const el = await fixture<EmailConfigWizard>(html`<email-config-wizard api-base=${BASE} session-token="tok-1" email="help@shop.example" locale="en"></email-config-wizard>`);
    await waitUntil(() => $(el, '[role="alert"]') !== null, 'load error shown');
    expect($(el, '[role="alert"]')!.textContent).to.contain('The server failed.');
    await expect(el).to.be.accessible();
    button(el, 'Try again').click();
    await atStep(el, 'address');
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#ecw-email')!.value).to.equal('help@shop.example');
  });

  it('renews an expired session token through fetchSessionToken and retries', async () => {
    freshAccount().on('GET /settings', [apiError(401, 'SESSION_EXPIRED', 'The session expired.'), apiError(404, 'NOT_CONFIGURED', 'Nothing.')]);
    const el = document.createElement('email-config-wizard');
    el.apiBase = BASE;
    el.sessionToken = 'old';
    el.fetchSessionToken = async () => 'new-token';
    document.body.append(el);
    try {
      await atStep(el, 'address');
      const tokens = api.callsTo('GET /settings').map((call) => call.headers.get('authorization'));
      expect(tokens).to.deep.equal(['Bearer old', 'Bearer new-token']);
      expect(el.sessionToken).to.equal('new-token');
    } finally {
      el.remove();
    }
  });

  it('speaks German with locale="de", server test errors included', async () => {
    freshAccount().on('POST /test', { json: failedPortTest });
    const el = await open({ locale: 'de' });
    await waitUntil(() => heading(el) === 'Support-Postfach verbinden', 'German heading');
    await toAuthStep(el);
    await type(el, '#ecw-password', 'pw');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state.testResult !== null, 'tested');
    await el.updateComplete;
    expect($(el, '[role="alert"]')!.textContent).to.contain('konnte keine sichere Verbindung aufgebaut werden');
    await expect(el).to.be.accessible();
  });

  it('reset() starts over, and defining the element twice is harmless', async () => {
    freshAccount();
    const el = await open();
    await toAuthStep(el);
    el.reset();
    await atStep(el, 'address');
    expect(el.state.detection).to.equal(null);
    expect(JSON.stringify(sessionStorage)).not.to.contain('google-workspace');
    const secondCopy: string = new URL('./email-config-wizard.ts?copy=2', import.meta.url).href;
    await import(secondCopy);
    expect(customElements.get('email-config-wizard')).to.equal(el.constructor);
  });
});

import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import './index.js';
import { apiError, mockApi, type MockApi } from './testing/mock-api.js';
import { detection, savedSettings } from './testing/fixtures.js';
import { $, $$, atStep, button, failure, fakePopup, focused, freshAccount, open, success, text, toAuth, type } from './testing/wizard-driver.js';

/**
 * Recovering from the common mistakes, as a person meets them (issue 15, items 4–8 and 10, and the
 * widget side of the saved-password and signed-in-account rules).
 */
let api: MockApi;

describe('recovery from mistakes', () => {
  beforeEach(() => {
    sessionStorage.clear();
    api = mockApi('/api');
  });
  afterEach(() => api.restore());

  it('4: a refused password comes back empty and focused (retyping never appends), and its mark goes once corrected', async () => {
    freshAccount(api).on('POST /test', [{ json: { ok: false, imap: failure('AUTH_FAILED', 'auth.password'), smtp: failure('AUTH_FAILED', 'auth.password') } }, { json: { ok: true, imap: success, smtp: success } }]);
    const el = await open();
    await toAuth(el);
    await type(el, '#ecw-password', 'wrong-password');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state.testResult !== null, 'tested');
    await el.updateComplete;
    // Only the password was wrong on detected settings: "Fix the setting" goes to the password, not the server form.
    button(el, 'Fix the setting').click();
    await atStep(el, 'auth');
    await el.updateComplete;
    const input = $<HTMLInputElement>(el, '#ecw-password')!;
    expect(input.value).to.equal('');
    expect(focused(el) === input, 'the password field has the focus').to.equal(true);
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#ecw-password-error')!.textContent).to.contain('did not accept the user name support@company.com');
    await sendKeys({ type: 'r' });
    await el.updateComplete;
    expect(input.getAttribute('aria-invalid')).to.equal('false');
    expect($(el, '#ecw-password-error')).to.equal(null);
    await sendKeys({ type: 'ight-password' });
    await sendKeys({ press: 'Enter' });
    await atStep(el, 'final');
    expect((api.callsTo('POST /test')[1]!.body as { auth: { password: string } }).auth.password).to.equal('right-password');
  });

  it('4: every field a test blamed is marked with its own reason (IMAP port and SMTP security), each cleared when changed', async () => {
    freshAccount(api, {
      imap: { host: 'imap.company.com', port: 143, security: 'tls', username: 'support@company.com' },
      smtp: { host: 'smtp.company.com', port: 465, security: 'starttls', username: 'support@company.com' },
      provider: null,
    }).on('POST /test', { json: { ok: false, imap: failure('TLS_FAILED', 'imap.port'), smtp: failure('TLS_FAILED', 'smtp.security') } });
    const el = await open();
    await toAuth(el);
    await type(el, '#ecw-password', 'pw');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state.testResult !== null, 'tested');
    await el.updateComplete;
    button(el, 'Fix the setting').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    const port = $<HTMLInputElement>(el, '#ecw-imap\\.port')!;
    const security = $<HTMLSelectElement>(el, '#ecw-smtp\\.security')!;
    expect(port.getAttribute('aria-invalid')).to.equal('true');
    expect(security.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#ecw-imap\\.port-error')!.textContent).to.contain('Port 143 expects STARTTLS');
    expect($(el, '#ecw-smtp\\.security-error')!.textContent).to.contain('Port 465 expects TLS');
    expect(focused(el) === port, 'the first blamed field has the focus').to.equal(true);
    await sendKeys({ press: 'Backspace' });
    await sendKeys({ press: 'Backspace' });
    await sendKeys({ press: 'Backspace' });
    await sendKeys({ type: '993' });
    await el.updateComplete;
    expect(port.getAttribute('aria-invalid')).to.equal('false');
    expect($(el, '#ecw-imap\\.port-error')).to.equal(null);
    expect(security.getAttribute('aria-invalid')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  it('5: nothing of one address (servers, user name, password) reaches the next address', async () => {
    freshAccount(api);
    const el = await open();
    await toAuth(el);
    await type(el, '#ecw-password', 'gmail-app-password');
    button(el, 'Back').click();
    await atStep(el, 'address');
    api.on('POST /detect', { json: detection({ email: 'help@other.example', domain: 'other.example', provider: null, imap: null, smtp: null, notes: [] }) });
    await toAuth(el, 'help@other.example');
    button(el, 'Set up manually').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    expect($<HTMLInputElement>(el, '#ecw-imap\\.host')!.value).to.equal('');
    expect($<HTMLInputElement>(el, '#ecw-smtp\\.host')!.value).to.equal('');
    expect($<HTMLInputElement>(el, '#ecw-imap\\.username')!.value).to.equal('help@other.example');
    expect($<HTMLInputElement>(el, '#ecw-auth\\.password')!.value).to.equal('');
    expect(text(el)).not.to.contain('gmail');
  });

  it('6: another account signed in is named as such (not a password error), with a choice of what to do', async () => {
    freshAccount(api)
      .on('POST /oauth/google', { json: { authorizationUrl: 'https://accounts.example/auth', flowId: 'flow-a' } })
      .on('GET /oauth/flows/flow-a', { json: { status: 'connected', email: 'someone@gmail.com' } })
      .on('POST /test', { json: { ok: true, imap: success, smtp: success } });
    const { restore } = fakePopup();
    try {
      const el = await open();
      await toAuth(el);
      button(el, 'Sign in with Google').click();
      await waitUntil(() => text(el).includes('You signed in as someone@gmail.com, but this mailbox is support@company.com.'), 'mismatch named');
      expect($(el, 'input[type=password]')).to.equal(null);
      expect($$(el, '[aria-invalid="true"]')).to.have.length(0);
      expect(() => button(el, /as a shared mailbox/)).to.throw();
      expect(button(el, 'Sign in with another account')).to.exist;
      await expect(el).to.be.accessible();
      button(el, 'Use someone@gmail.com instead').click();
      await atStep(el, 'final');
      const body = api.callsTo('POST /test')[0]!.body as { imap: { username: string }; auth: unknown };
      expect(body.imap.username).to.equal('someone@gmail.com');
      expect(body.auth).to.deep.equal({ method: 'oauth', provider: 'google' });
    } finally {
      restore();
    }
  });

  it('6: ACCOUNT_MISMATCH from the test is shown as an account problem with a new sign-in, never on the password', async () => {
    freshAccount(api, { provider: { id: 'microsoft-365', name: 'Microsoft 365', oauth: 'microsoft', supported: true }, authMethods: ['oauth'] }, { google: { configured: false }, microsoft: { configured: true } })
      .on('POST /oauth/microsoft', { json: { authorizationUrl: 'https://login.example/auth', flowId: 'flow-m' } })
      .on('GET /oauth/flows/flow-m', { json: { status: 'connected', email: 'support@company.com' } })
      .on('POST /test', { json: { ok: false, imap: failure('ACCOUNT_MISMATCH', 'auth'), smtp: failure('ACCOUNT_MISMATCH', 'auth') } });
    const { restore } = fakePopup();
    try {
      const el = await open();
      await toAuth(el);
      button(el, 'Sign in with Microsoft').click();
      await atStep(el, 'test');
      await waitUntil(() => el.state.testResult !== null, 'tested');
      await el.updateComplete;
      expect(text(el)).to.contain('The signed-in account support@company.com cannot open the mailbox support@company.com.');
      expect(text(el)).to.contain('needs Full Access to support@company.com');
      expect($$(el, '[role="alert"]')).to.have.length(1);
      expect(text(el)).not.to.contain('password');
      expect(button(el, 'Sign in with another account').classList.contains('primary')).to.equal(true);
    } finally {
      restore();
    }
  });

  it('6: a sign-in window closed at once returns to the wizard (no redirect of the host page)', async () => {
    freshAccount(api)
      .on('POST /oauth/google', { json: { authorizationUrl: 'https://accounts.example/auth', flowId: 'flow-c' } })
      .on('GET /oauth/flows/flow-c', { json: { status: 'pending' } });
    const { popup, restore } = fakePopup();
    try {
      const el = await open();
      let navigated = '';
      (el as unknown as { navigate: (url: string) => void }).navigate = (url) => (navigated = url);
      await toAuth(el);
      button(el, 'Sign in with Google').click();
      popup.closed = true; // closed by the person before the provider's page loaded
      await waitUntil(() => text(el).includes('The sign-in window was closed'), 'told the window closed');
      expect(navigated).to.equal('');
      expect(['auth', 'oauth']).to.include(el.state.step);
      // Closed while waiting for the provider: the next status check brings the wizard back.
      popup.closed = false;
      button(el, 'Sign in with Google').click();
      await waitUntil(() => el.state.oauthFlowId === 'flow-c', 'waiting');
      popup.closed = true;
      await waitUntil(() => el.state.oauthFlowId === null && text(el).includes('The sign-in window was closed'), 'back after closing', { timeout: 5000 });
      expect(navigated).to.equal('');
      expect(button(el, 'Continue with Google')).to.exist;
    } finally {
      restore();
    }
  });

  it('7: a passing test says so plainly before the final settings: "Connected as …, receiving and sending work"', async () => {
    freshAccount(api).on('POST /test', { json: { ok: true, imap: success, smtp: success } });
    const el = await open();
    await toAuth(el);
    await type(el, '#ecw-password', 'pw');
    await sendKeys({ press: 'Enter' });
    await atStep(el, 'final');
    await el.updateComplete;
    const banner = $(el, '.success[role="status"]')!;
    expect(banner.textContent!.replace(/\s+/g, ' ')).to.contain('Connected as support@company.com. Receiving and sending work.');
    expect(focused(el) === $(el, '#ecw-from'), 'focus on the sender name').to.equal(true);
  });

  it('8: "no settings found" and a mistyped domain lead to "Set up manually" and "did you mean gmail.com?"', async () => {
    freshAccount(api, { email: 'support@gmial.com', domain: 'gmial.com', provider: null, imap: null, smtp: null, notes: [] });
    const el = await open();
    await toAuth(el, 'support@gmial.com');
    expect($(el, 'input[type=password]')).to.equal(null);
    expect(() => button(el, 'Test connection')).to.throw();
    expect(button(el, 'Set up manually').classList.contains('primary')).to.equal(true);
    const suggestion = button(el, 'support@gmail.com');
    expect(focused(el) === suggestion, 'the suggestion has the focus').to.equal(true);
    api.on('POST /detect', { json: detection({ email: 'support@gmail.com', domain: 'gmail.com', provider: { id: 'gmail', name: 'Gmail', oauth: 'google', supported: true } }) });
    suggestion.click();
    await waitUntil(() => el.state.email === 'support@gmail.com' && !el.busy, 'detected again');
    expect((api.callsTo('POST /detect')[1]!.body as { email: string }).email).to.equal('support@gmail.com');
    await el.updateComplete;
    expect(button(el, 'Sign in with Google')).to.exist;
  });

  it("10: each protocol's result shows as it arrives — IMAP's failure while SMTP still runs", async () => {
    let resume: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (resume = resolve));
    const imapResult = failure('TLS_FAILED', 'imap.security');
    freshAccount(api).on('POST /test', {
      holdFrom: 4,
      resume: held,
      sse: [
        { event: 'progress', data: { protocol: 'smtp', name: 'greeting', running: true, label: 'Waiting for the greeting…' } },
        { event: 'phase', data: { protocol: 'imap', name: 'connect', ok: true, ms: 5 } },
        { event: 'phase', data: { protocol: 'imap', name: 'tls', ok: false, ms: 32 } },
        { event: 'protocol', data: { protocol: 'imap', ...imapResult } },
        { event: 'phase', data: { protocol: 'smtp', name: 'greeting', ok: true, ms: 9000 } },
        { event: 'result', data: { ok: false, imap: imapResult, smtp: success } },
      ],
    });
    const el = await open();
    await toAuth(el);
    await type(el, '#ecw-password', 'pw');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.partial.imap !== undefined, 'IMAP result streamed');
    await el.updateComplete;
    expect(el.busy).to.equal(true);
    const imap = $(el, '[data-protocol="imap"]')!;
    const smtp = $(el, '[data-protocol="smtp"]')!;
    expect(imap.querySelector('.badge')!.textContent).to.contain('Failed');
    expect(imap.querySelector('[role="alert"]')!.textContent).to.contain('imap.gmail.com');
    expect(smtp.querySelector('.badge')).to.equal(null);
    expect(smtp.textContent).to.contain('Server greeting…');
    resume();
    await waitUntil(() => el.state.testResult !== null, 'whole result');
    await el.updateComplete;
    expect($(el, '[data-protocol="smtp"] .badge')!.textContent).to.contain('Works');
  });

  it('issue 11: editing a saved server asks for the password again and says why; PASSWORD_REQUIRED lands on the password', async () => {
    api
      .on('GET /settings', { json: savedSettings() })
      .on('GET /oauth/providers', { json: { google: { configured: false }, microsoft: { configured: false } } })
      .on('POST /test', apiError(400, 'PASSWORD_REQUIRED', 'Enter the password for the new server.', 'auth.password'));
    const el = await open();
    button(el, 'Edit servers').click();
    await atStep(el, 'manual');
    await el.updateComplete;
    const password = $<HTMLInputElement>(el, '#ecw-auth\\.password')!;
    expect(password.required).to.equal(false);
    expect(text(el)).to.contain('Leave empty to keep the saved password.');
    await type(el, '#ecw-imap\\.host', 'imap.new-host.example');
    await el.updateComplete;
    expect(password.required).to.equal(true);
    expect(text(el)).to.contain('You changed the server, so enter the password again');
    expect(text(el)).not.to.contain('Leave empty to keep the saved password.');
    button(el, 'Test connection').click();
    await el.updateComplete;
    expect(api.callsTo('POST /test')).to.have.length(0);
    expect(focused(el) === password, 'the required password has the focus').to.equal(true);
    // A server that still refuses (the rule lives there): the answer goes to the password field.
    password.removeAttribute('required');
    button(el, 'Test connection').click();
    await waitUntil(() => api.callsTo('POST /test').length === 1 && el.state.step === 'manual' && !el.busy, 'refused').catch((error) => {
      throw new Error(`${error} — step ${el.state.step}, calls ${JSON.stringify(api.calls.map((c) => c.method + ' ' + c.path))}, ${text(el)}`);
    });
    await el.updateComplete;
    expect($(el, '#ecw-auth\\.password')!.getAttribute('aria-invalid')).to.equal('true');
    expect(text(el)).to.contain('a saved password is only sent to the server it was saved for');
  });

  it('issue 12: a Microsoft shared mailbox is opened with the signed-in account, and says what access that needs', async () => {
    freshAccount(api, { provider: { id: 'microsoft-365', name: 'Microsoft 365', oauth: 'microsoft', supported: true }, authMethods: ['oauth'] }, { google: { configured: false }, microsoft: { configured: true } })
      .on('POST /oauth/microsoft', { json: { authorizationUrl: 'https://login.example/auth', flowId: 'flow-s' } })
      .on('GET /oauth/flows/flow-s', { json: { status: 'connected', email: 'agent@company.com' } })
      .on('POST /test', { json: { ok: true, imap: success, smtp: success } });
    const { restore } = fakePopup();
    try {
      const el = await open();
      await toAuth(el);
      const shared = $<HTMLInputElement>(el, 'input[type=checkbox]')!;
      shared.click();
      await el.updateComplete;
      expect(text(el)).to.contain('Your account needs Full Access to support@company.com');
      button(el, 'Sign in with Microsoft').click();
      await atStep(el, 'final');
      const body = api.callsTo('POST /test')[0]!.body as { imap: { username: string }; auth: unknown };
      expect(body.imap.username).to.equal('support@company.com');
      expect(body.auth).to.deep.equal({ method: 'oauth', provider: 'microsoft', account: 'agent@company.com' });
    } finally {
      restore();
    }
  });

  it('issue 12: without saying so first, the mismatch offers the shared mailbox for Microsoft; ENCRYPTION_REQUIRED and TEMPORARY_FAILURE read right', async () => {
    freshAccount(api, { provider: { id: 'microsoft-365', name: 'Microsoft 365', oauth: 'microsoft', supported: true }, authMethods: ['oauth'] }, { google: { configured: false }, microsoft: { configured: true } })
      .on('POST /oauth/microsoft', { json: { authorizationUrl: 'https://login.example/auth', flowId: 'flow-t' } })
      .on('GET /oauth/flows/flow-t', { json: { status: 'connected', email: 'agent@company.com' } })
      .on('POST /test', { json: { ok: false, imap: failure('ENCRYPTION_REQUIRED', 'imap.security'), smtp: failure('TEMPORARY_FAILURE', undefined) } });
    const { restore } = fakePopup();
    try {
      const el = await open();
      await toAuth(el);
      button(el, 'Sign in with Microsoft').click();
      await waitUntil(() => text(el).includes('You signed in as agent@company.com, but this mailbox is support@company.com.'), 'mismatch');
      await el.updateComplete;
      button(el, 'Open support@company.com as a shared mailbox').click();
      await atStep(el, 'test');
      await waitUntil(() => el.state.testResult !== null, 'tested');
      await el.updateComplete;
      expect((api.callsTo('POST /test')[0]!.body as { auth: unknown }).auth).to.deep.equal({ method: 'oauth', provider: 'microsoft', account: 'agent@company.com' });
      expect($(el, '[data-protocol="imap"]')!.textContent).to.contain('only accepts a sign-in over an encrypted connection');
      const smtp = $(el, '[data-protocol="smtp"]')!.textContent!;
      expect(smtp).to.contain('is busy and asked to try again later');
      expect(smtp).to.contain('Nothing in your settings is wrong');
      expect(el.state.faultFields).to.deep.equal(['imap.security']);
    } finally {
      restore();
    }
  });
});

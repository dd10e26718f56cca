import { fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { EmailConfigWizard } from '../email-config-wizard.js';
import { apiError, type MockApi } from './mock-api.js';
import { detection } from './fixtures.js';
import type { DetectionResult } from '../api.js';

/**
 * Drives `<email-config-wizard>` in browser tests the way a person does: by its shadow DOM,
 * buttons by their visible text, typing with real key presses.
 */
export const BASE = '/api';
export const $ = <T extends Element = HTMLElement>(el: EmailConfigWizard, selector: string) => el.shadowRoot!.querySelector<T>(selector);
export const $$ = <T extends Element = HTMLElement>(el: EmailConfigWizard, selector: string) => [...el.shadowRoot!.querySelectorAll<T>(selector)];
export const text = (el: EmailConfigWizard) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');
export const focused = (el: EmailConfigWizard) => el.shadowRoot!.activeElement as HTMLElement | null;

/** The button whose text is `label` (or matches it); throws naming what is there. */
export function button(el: EmailConfigWizard, label: string | RegExp): HTMLButtonElement {
  const found = $$<HTMLButtonElement>(el, 'button').find((b) => (typeof label === 'string' ? b.textContent!.replace(/\s+/g, ' ').trim() === label : label.test(b.textContent!)));
  if (!found) throw new Error(`no button ${label} in: ${text(el)}`);
  return found;
}

export const atStep = (el: EmailConfigWizard, step: string) => waitUntil(() => el.state.step === step && !el.busy, `step ${step} (now ${el.state.step})`, { timeout: 4000 });

export async function type(el: EmailConfigWizard, selector: string, value: string) {
  const input = $<HTMLInputElement>(el, selector)!;
  input.focus();
  input.value = '';
  await sendKeys({ type: value });
}

export async function open(attrs: { locale?: string; theme?: string } = {}) {
  const el = await fixture<EmailConfigWizard>(
    html`<email-config-wizard api-base=${BASE} session-token="tok-1" locale=${attrs.locale ?? 'en'} theme=${attrs.theme ?? 'light'}></email-config-wizard>`,
  );
  await waitUntil(() => el.state.step !== 'loading', 'loaded', { timeout: 4000 });
  await el.updateComplete;
  return el;
}

/** A fresh account (nothing saved) whose address detection answers `found`. */
export function freshAccount(api: MockApi, found: Partial<DetectionResult> = {}, providers = { google: { configured: true }, microsoft: { configured: true } }) {
  return api
    .on('GET /settings', apiError(404, 'NOT_CONFIGURED', 'No mailbox is connected yet.'))
    .on('GET /oauth/providers', { json: providers })
    .on('POST /detect', { json: detection(found) });
}

/** Types the address, presses Enter and waits for the sign-in step. */
export async function toAuth(el: EmailConfigWizard, address = 'support@company.com') {
  await type(el, '#ecw-email', address);
  await sendKeys({ press: 'Enter' });
  await atStep(el, 'auth');
  await el.updateComplete;
}

/** A fake sign-in window the wizard opens instead of a real popup. */
export function fakePopup(closed = false) {
  const popup = { closed, location: { href: '' }, close() { this.closed = true; } };
  const original = window.open;
  window.open = () => popup as unknown as Window;
  return { popup, restore: () => (window.open = original) };
}

/** A test failure of one protocol, as `POST /test` reports it. */
export const failure = (code: string, field: string | undefined, message = `English server text for ${code}.`) => ({
  ok: false,
  phases: [{ name: 'connect', ok: true, ms: 5 }, { name: 'authenticate', ok: false, ms: 9 }],
  error: { code, message, ...(field ? { field } : {}), steps: ['An English step from the server.'] },
});
export const success = { ok: true, phases: [{ name: 'connect', ok: true, ms: 5 }, { name: 'authenticate', ok: true, ms: 9 }] };

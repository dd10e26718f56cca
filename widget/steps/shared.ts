import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import { errorText, isFallback } from '../messages.js';
import type { WizardHost } from './host.js';

/** The step's heading: focused on a step change when the step has no field to go on with. */
export const heading = (text: string) => html`<h2 part="heading" tabindex="-1">${text}</h2>`;

/** The step's error, if any, as an alert (at most one per step). */
export function errorAlert(host: WizardHost) {
  if (!host.error) return nothing;
  return html`<div class="alert" role="alert" part="error"><strong lang=${isFallback(host.error) ? 'en' : nothing}>${errorText(host.error)}</strong></div>`;
}

/** A "Back" button that steps back through the state machine. */
export const backButton = (host: WizardHost) =>
  html`<button type="button" part="button" @click=${() => host.dispatch({ type: 'back' })}>${msg('Back', { id: 'back' })}</button>`;

/** A spinner with an accessible label. */
export const spinner = () => html`<span class="spinner" aria-hidden="true"></span>`;

/** Reads a form's named control as text. */
export function formText(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value : '';
}

function togglePassword(event: Event) {
  const button = event.currentTarget as HTMLButtonElement;
  const input = button.parentElement?.querySelector('input');
  if (!input) return;
  const show = input.type === 'password';
  input.type = show ? 'text' : 'password';
  button.setAttribute('aria-pressed', String(show));
  input.focus();
}

/**
 * A password input with a "Show" toggle (`aria-pressed`). A rejected password is cleared from the
 * state, so it comes back as an empty field, never as text to append to.
 */
export function passwordInput(options: { id: string; name: string; value?: string; required?: boolean; invalid?: boolean; describedBy?: string; autocomplete?: string; next?: boolean; onInput?: (event: Event) => void }) {
  return html`<div class="password">
    <input id=${options.id} name=${options.name} part="input" type="password" autocomplete=${options.autocomplete ?? 'current-password'}
      spellcheck="false" .value=${options.value ?? ''} ?required=${options.required ?? false} aria-invalid=${options.invalid ? 'true' : 'false'}
      aria-describedby=${options.describedBy || nothing} ?data-next=${options.next ?? false} @input=${options.onInput} />
    <button type="button" class="reveal" part="button" aria-pressed="false" aria-controls=${options.id} @click=${togglePassword}>
      ${msg('Show', { id: 'pw.show' })}<span class="visually-hidden"> ${msg('Password', { id: 'password' })}</span>
    </button>
  </div>`;
}

import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import { errorText } from '../messages.js';
import type { WizardHost } from './host.js';

/** The step's heading: focused on every step change so screen readers announce where they are. */
export const heading = (text: string) => html`<h2 part="heading" tabindex="-1">${text}</h2>`;

/** The step's error, if any, as an alert. */
export function errorAlert(host: WizardHost) {
  if (!host.error) return nothing;
  return html`<div class="alert" role="alert" part="error"><strong>${errorText(host.error, host.localeInUse)}</strong></div>`;
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

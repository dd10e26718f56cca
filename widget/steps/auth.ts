import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { oauthOffer } from '../state.js';
import { detectionSummary } from './address.js';
import { backButton, errorAlert, formText, heading } from './shared.js';
import type { WizardHost } from './host.js';

const PROVIDER_NAMES = { google: 'Google', microsoft: 'Microsoft' } as const;

/** Step 2: OAuth when the provider and the server allow it; otherwise the password, with the provider's hint. */
export function authStep(host: WizardHost) {
  const { state } = host;
  const detection = state.detection;
  const offer = oauthOffer(detection, host.providers);
  const notes = detection?.notes ?? [];
  // Some providers refuse passwords altogether (Outlook.com): then OAuth is the only way in.
  const passwordRefused = offer !== undefined && detection?.authMethods.includes('password') === false;
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const password = formText(form, 'password');
    const input = form.elements.namedItem('password') as HTMLInputElement;
    if (!password) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    host.dispatch({ type: 'choose-password', password });
  };
  return html`
    ${heading(msg('Sign in to your mailbox', { id: 'auth.title' }))}
    <p class="lead">${state.email}</p>
    ${detectionSummary(host)} ${errorAlert(host)}
    ${state.passwordLost
      ? html`<p class="warning" role="status">${msg('For your security the password is not kept when the page reloads. Please enter it again.', { id: 'auth.lost' })}</p>`
      : nothing}
    ${offer
      ? html`<div class="stack">
            <button class="primary provider" part="button button-primary oauth-button" type="button" @click=${() => host.startOAuth(offer)}>
              ${msg(str`Continue with ${PROVIDER_NAMES[offer]}`, { id: 'auth.oauth' })}
            </button>
            <p class="hint">${msg('Recommended: no password is stored, and you can revoke access at any time.', { id: 'auth.oauthhint' })}</p>
          </div>
          ${passwordRefused ? nothing : html`<p class="divider">${msg('or use a password', { id: 'auth.or' })}</p>`}`
      : nothing}
    ${passwordRefused
      ? html`${notes.length ? html`<div class="hint" lang="en">${notes.map((note) => html`<p class="hint">${note}</p>`)}</div>` : nothing}
          <div class="actions">
            ${backButton(host)}
            <span class="spacer"></span>
            <button class="link" type="button" part="button" @click=${() => host.dispatch({ type: 'choose-manual' })}>${msg('Set up manually', { id: 'manual.link' })}</button>
          </div>`
      : html`<form novalidate @submit=${onSubmit}>
      <div class="field" part="field">
        <label for="ecw-password" part="label">${offer ? msg('App password', { id: 'auth.apppw' }) : msg('Password or app password', { id: 'auth.pwlabel' })}</label>
        <input id="ecw-password" part="input" name="password" type="password" autocomplete="current-password" aria-describedby=${notes.length ? 'ecw-password-hint' : nothing} />
        ${notes.length ? html`<div id="ecw-password-hint" class="hint" lang="en">${notes.map((note) => html`<p class="hint">${note}</p>`)}</div>` : nothing}
      </div>
      <div class="actions">
        <button class=${offer ? '' : 'primary'} part="button" type="submit">${msg('Test connection', { id: 'auth.test' })}</button>
        ${backButton(host)}
        <span class="spacer"></span>
        <button class="link" type="button" part="button" @click=${() => host.dispatch({ type: 'choose-manual' })}>${msg('Set up manually', { id: 'manual.link' })}</button>
      </div>
    </form>`}
  `;
}

/** The provider's display name. */
export const providerName = (provider: keyof typeof PROVIDER_NAMES) => PROVIDER_NAMES[provider];

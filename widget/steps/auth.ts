import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { oauthOffer } from '../state.js';
import { detectionSummary } from './detection-summary.js';
import { explainFor } from './test.js';
import { providerButton, providerNotes } from './provider-help.js';
import { sharedMailboxAccess } from './explain.js';
import { suggestAddress } from './typo.js';
import { backButton, errorAlert, formText, heading, passwordInput } from './shared.js';
import type { WizardHost } from './host.js';

const PROVIDER_NAMES = { google: 'Google', microsoft: 'Microsoft' } as const;

const manualButton = (host: WizardHost, primary = false) =>
  html`<button class=${primary ? 'primary' : 'link'} part=${primary ? 'button button-primary' : 'button'} type="button" ?data-next=${primary}
    @click=${() => host.dispatch({ type: 'choose-manual' })}>${msg('Set up manually', { id: 'manual.link' })}</button>`;

/**
 * Step 2: OAuth when the provider and the server allow it, else the password with the provider's
 * help; when nothing was found, setting up by hand (and "did you mean …?" for a likely typo).
 */
export function authStep(host: WizardHost) {
  const { state } = host;
  const detection = state.detection;
  const offer = oauthOffer(detection, host.providers);
  const found = !!(detection?.imap && detection.smtp);
  const suggestion = detection && !detection.provider ? suggestAddress(state.email) : null;
  // Some providers refuse passwords altogether (Outlook.com): then OAuth is the only way in.
  const passwordRefused = offer !== null && detection?.authMethods.includes('password') === false;
  const shared = state.auth?.method === 'oauth' && state.auth.shared === true;
  const refused = state.faultFields.includes('auth.password') ? (state.testResult?.imap?.error ?? state.testResult?.smtp?.error) : undefined;
  const refusedText = refused ? explainFor(host, state.testResult?.imap?.error ? 'imap' : 'smtp', refused).message : '';
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

  if (!found && !offer) {
    return html`
      ${heading(msg('Sign in to your mailbox', { id: 'auth.title' }))}
      <p class="lead">${state.email}</p>
      ${detectionSummary(host)} ${errorAlert(host)}
      ${suggestion
        ? html`<p class="suggest">${msg('Did you mean', { id: 'auth.didyoumean' })}
            <button class="link" type="button" part="button" data-next @click=${() => host.detect(suggestion)}>${suggestion}</button>?</p>`
        : nothing}
      <p>${msg("Enter the server names from your provider's help pages or your administrator.", { id: 'auth.manualhint' })}</p>
      <div class="actions">${manualButton(host, true)} ${backButton(host)}</div>
    `;
  }

  return html`
    ${heading(msg('Sign in to your mailbox', { id: 'auth.title' }))}
    <p class="lead">${state.email}</p>
    ${detectionSummary(host)} ${errorAlert(host)}
    ${state.passwordLost
      ? html`<p class="warning" role="status">${msg('For your security the password is not kept when the page reloads. Please enter it again.', { id: 'auth.lost' })}</p>`
      : nothing}
    ${offer
      ? html`<div class="stack">
            ${providerButton(offer, () => host.startOAuth(offer), !refused)}
            <p class="hint">${msg('Recommended: no password is stored, and you can revoke access at any time.', { id: 'auth.oauthhint' })}</p>
            ${offer === 'microsoft'
              ? html`<label class="check">
                    <input type="checkbox" .checked=${shared} @change=${(event: Event) => host.dispatch({ type: 'shared-mailbox', shared: (event.currentTarget as HTMLInputElement).checked })} />
                    <span>${msg('This is a shared mailbox (I sign in with my own account)', { id: 'auth.shared' })}</span>
                  </label>
                  ${shared ? html`<p class="hint">${sharedMailboxAccess(msg('Your account', { id: 'auth.youraccount' }), state.email)}</p>` : nothing}`
              : nothing}
          </div>
          ${passwordRefused ? nothing : html`<p class="divider">${msg('or use a password', { id: 'auth.or' })}</p>`}`
      : nothing}
    ${passwordRefused
      ? html`${providerNotes(detection)}
          <div class="actions">${backButton(host)}<span class="spacer"></span>${manualButton(host)}</div>`
      : html`<form novalidate @submit=${onSubmit}>
          <div class="field" part="field">
            <label for="ecw-password" part="label">${offer ? msg('App password', { id: 'auth.apppw' }) : msg('Password or app password', { id: 'auth.pwlabel' })}</label>
            ${passwordInput({
              id: 'ecw-password',
              name: 'password',
              invalid: !!refused,
              describedBy: [refused ? 'ecw-password-error' : '', 'ecw-password-hint'].filter(Boolean).join(' '),
              onInput: () => host.dispatch({ type: 'field-edited', field: 'auth.password' }),
            })}
            ${refused ? html`<p class="field-error" id="ecw-password-error">${refusedText}</p>` : nothing}
            ${providerNotes(detection, 'ecw-password-hint')}
          </div>
          <div class="actions">
            <button class=${offer ? '' : 'primary'} part="button" type="submit">${msg('Test connection', { id: 'auth.test' })}</button>
            ${backButton(host)}
            <span class="spacer"></span>
            ${manualButton(host)}
          </div>
        </form>`}
  `;
}

/** The provider's display name. */
export const providerName = (provider: keyof typeof PROVIDER_NAMES) => PROVIDER_NAMES[provider];

/** "Continue with Google" (used where the sign-in is restarted). */
export const continueWith = (provider: keyof typeof PROVIDER_NAMES) => msg(str`Continue with ${PROVIDER_NAMES[provider]}`, { id: 'auth.oauth' });

import { html } from 'lit';
import { msg, str } from '@lit/localize';
import { providerName } from './auth.js';
import { errorAlert, heading, spinner } from './shared.js';
import type { WizardHost } from './host.js';

/** Step 3a: the OAuth popup (or redirect); the outcome comes from the server's flow status. */
export function oauthStep(host: WizardHost) {
  const { state } = host;
  if (state.auth?.method !== 'oauth') return html``;
  const provider = state.auth.provider;
  const name = providerName(provider);
  const waiting = state.oauthFlowId !== null;
  return html`
    ${heading(msg(str`Sign in with ${name}`, { id: 'oauth.title' }))}
    <p class="lead">${state.email}</p>
    ${errorAlert(host)}
    ${waiting
      ? html`<div class="card" part="progress">
          <p>${spinner()} ${host.redirecting
              ? msg(str`Taking you to ${name}…`, { id: 'oauth.redirect' })
              : msg(str`Finish signing in in the ${name} window. This page continues by itself.`, { id: 'oauth.waiting' })}</p>
          <p class="hint">${msg('No window? It may be behind this one, or your browser blocked it.', { id: 'oauth.nowindow' })}</p>
        </div>`
      : html`<p>${msg(str`You will be asked by ${name} to allow access to this mailbox.`, { id: 'oauth.explain' })}</p>`}
    <div class="actions">
      <button class=${waiting ? '' : 'primary'} part="button ${waiting ? '' : 'button-primary'}" type="button" @click=${() => host.startOAuth(provider)}>
        ${waiting ? msg('Open the window again', { id: 'oauth.again' }) : msg(str`Continue with ${name}`, { id: 'auth.oauth' })}
      </button>
      <button type="button" part="button" @click=${() => host.cancelOAuth()}>${msg('Cancel', { id: 'cancel' })}</button>
      <span class="spacer"></span>
      <button class="link" type="button" part="button" @click=${() => {
          host.cancelOAuth();
          host.dispatch({ type: 'choose-manual' });
        }}>${msg('Use a password instead', { id: 'oauth.password' })}</button>
    </div>
  `;
}

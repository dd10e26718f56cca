import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { accountMismatch } from '../state.js';
import { continueWith, providerName } from './auth.js';
import { sharedMailboxAccess } from './explain.js';
import { errorAlert, heading, spinner } from './shared.js';
import type { WizardHost } from './host.js';

/**
 * Step 3a: the OAuth popup (or redirect); the outcome comes from the server's flow status. When
 * the provider signed in another account than the mailbox typed, the person chooses what it is.
 */
export function oauthStep(host: WizardHost) {
  const { state } = host;
  if (state.auth?.method !== 'oauth') return html``;
  const provider = state.auth.provider;
  const name = providerName(provider);
  const waiting = state.oauthFlowId !== null;
  const signedIn = accountMismatch(state);
  const mailbox = state.imap?.username || state.email;
  if (signedIn) {
    return html`
      ${heading(msg('Which mailbox is it?', { id: 'oauth.which' }))}
      <div class="card" role="status">
        <p><strong>${msg(str`You signed in as ${signedIn}, but this mailbox is ${mailbox}.`, { id: 'oauth.mismatch' })}</strong></p>
        ${provider === 'microsoft' ? html`<p class="hint">${sharedMailboxAccess(signedIn, mailbox)}</p>` : html`<p class="hint">${msg(str`Google opens a mailbox only with its own account: sign in as ${mailbox}.`, { id: 'x.mismatchg' })}</p>`}
      </div>
      <div class="actions stack-narrow">
        ${provider === 'microsoft'
          ? html`<button class="primary" part="button button-primary" type="button" data-next @click=${() => host.dispatch({ type: 'use-shared-mailbox' })}>
              ${msg(str`Open ${mailbox} as a shared mailbox`, { id: 'oauth.useshared' })}</button>`
          : nothing}
        <button class=${provider === 'microsoft' ? '' : 'primary'} part="button" type="button" ?data-next=${provider !== 'microsoft'} @click=${() => host.startOAuth(provider)}>
          ${msg('Sign in with another account', { id: 'oauth.other' })}</button>
        <button type="button" part="button" @click=${() => host.dispatch({ type: 'use-signed-in-account' })}>${msg(str`Use ${signedIn} instead`, { id: 'oauth.usesignedin' })}</button>
      </div>
    `;
  }
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
      <button class=${waiting ? '' : 'primary'} part="button ${waiting ? '' : 'button-primary'}" type="button" data-next @click=${() => host.startOAuth(provider)}>
        ${waiting ? msg('Open the window again', { id: 'oauth.again' }) : continueWith(provider)}
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

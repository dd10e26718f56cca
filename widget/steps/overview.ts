import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { describeCode } from '../messages.js';
import type { AuthChoice } from '../state.js';
import { errorAlert, heading } from './shared.js';
import { settingsSummary } from './summary.js';
import type { WizardHost } from './host.js';

function statusBadge(status: string) {
  switch (status) {
    case 'connected':
      return html`<span class="badge ok">${msg('Connected', { id: 'ov.connected' })}</span>`;
    case 'failing':
      return html`<span class="badge bad">${msg('Not working', { id: 'ov.failing' })}</span>`;
    case 'needs_reauth':
      return html`<span class="badge bad">${msg('Sign-in needed', { id: 'ov.reauth' })}</span>`;
    default:
      return html`<span class="badge pending">${msg('Not tested yet', { id: 'ov.untested' })}</span>`;
  }
}

/** Opened on a saved configuration: its state, and edit, re-test, reconnect, disconnect. */
export function overviewStep(host: WizardHost) {
  const existing = host.state.existing;
  if (!existing) return html``;
  const auth: AuthChoice = existing.auth.method === 'oauth' ? { method: 'oauth', provider: existing.auth.provider } : { method: 'password' };
  const needsReauth = existing.status === 'needs_reauth' || (existing.auth.method === 'oauth' && existing.auth.needsReauthorization);
  const last = existing.lastTest;
  const when = last ? new Intl.DateTimeFormat(host.localeInUse, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(last.at)) : '';
  const lastCode = last && !last.ok ? (last.imap?.code ?? last.smtp?.code) : undefined;
  const reconnect = () => (existing.auth.method === 'oauth' ? host.startOAuth(existing.auth.provider) : host.dispatch({ type: 'reconnect' }));
  return html`
    ${heading(msg('Support mailbox', { id: 'ov.title' }))}
    <p class="lead">${existing.email} ${statusBadge(needsReauth ? 'needs_reauth' : existing.status)}</p>
    ${needsReauth
      ? html`<div class="alert" role="alert" part="error"><strong>${msg('The sign-in has expired or was revoked. Reconnect the account.', { id: 'code.oauth' })}</strong></div>`
      : nothing}
    ${errorAlert(host)}
    ${settingsSummary({ ...existing, auth })}
    <p class="hint">
      ${last
        ? last.ok
          ? msg(str`Last test passed on ${when}.`, { id: 'ov.lastok' })
          : msg(str`Last test failed on ${when}.`, { id: 'ov.lastbad' }) + (lastCode && !needsReauth ? ` ${describeCode(lastCode) ?? lastCode}` : '')
        : msg('Not tested yet.', { id: 'ov.never' })}
    </p>
    ${host.confirmingDisconnect
      ? html`<div class="card confirm" role="group" aria-labelledby="ecw-disconnect-q"
          @keydown=${(event: KeyboardEvent) => event.key === 'Escape' && (event.stopPropagation(), host.askDisconnect(false))}>
          <p id="ecw-disconnect-q"><strong>${msg('Disconnect this mailbox? Its settings and saved sign-in are deleted.', { id: 'ov.confirm' })}</strong></p>
          <div class="actions">
            <button class="destructive" part="button button-destructive" type="button" ?disabled=${host.busy} @click=${() => host.disconnect()}>${msg('Disconnect', { id: 'ov.disconnect' })}</button>
            <button type="button" part="button" data-keep @click=${() => host.askDisconnect(false)}>${msg('Keep it', { id: 'ov.keep' })}</button>
          </div>
        </div>`
      : html`<div class="actions">
          ${needsReauth
            ? html`<button class="primary" part="button button-primary" type="button" @click=${reconnect}>${msg('Reconnect', { id: 'reconnect' })}</button>`
            : html`<button class="primary" part="button button-primary" type="button" @click=${() => host.dispatch({ type: 'retest' })}>${msg('Test again', { id: 'ov.retest' })}</button>`}
          <button type="button" part="button" @click=${() => host.dispatch({ type: 'edit' })}>${msg('Edit servers', { id: 'ov.edit' })}</button>
          <button type="button" part="button" @click=${() => host.dispatch({ type: 'edit-final' })}>${msg('Preferences', { id: 'ov.prefs' })}</button>
          ${needsReauth ? nothing : html`<button type="button" part="button" @click=${reconnect}>${msg('Reconnect', { id: 'reconnect' })}</button>`}
          <span class="spacer"></span>
          <button class="link danger" type="button" part="button" data-disconnect @click=${() => host.askDisconnect(true)}>${msg('Disconnect', { id: 'ov.disconnect' })}</button>
        </div>`}
  `;
}

import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import { securityLabel } from './explain.js';
import type { MailServer } from '../api.js';
import type { AuthChoice } from '../state.js';
import { providerName } from './auth.js';
import { intervalLabel } from './final.js';

export interface SummaryFacts {
  email: string;
  imap: MailServer | null;
  smtp: MailServer | null;
  auth: AuthChoice | null;
  checkIntervalSeconds: number;
  deleteAfterProcessing: boolean;
  fromName?: string | null;
}

const server = (value: MailServer | null) => (value ? `${value.host}:${value.port} · ${securityLabel(value.security)}` : '—');

/** The non-secret facts of a configuration as a definition list (done step, overview). */
export function settingsSummary(facts: SummaryFacts) {
  const auth = facts.auth;
  return html`<dl class="summary" part="summary">
    <dt>${msg('Mailbox', { id: 'sum.mailbox' })}</dt>
    <dd>${facts.email}</dd>
    <dt>${msg('Sign-in', { id: 'sum.signin' })}</dt>
    <dd>${auth?.method === 'oauth' ? providerName(auth.provider) + ' (OAuth)' : msg('Password', { id: 'password' })}</dd>
    <dt>${msg('Incoming', { id: 'sum.incoming' })}</dt>
    <dd>${server(facts.imap)}</dd>
    <dt>${msg('Outgoing', { id: 'sum.outgoing' })}</dt>
    <dd>${server(facts.smtp)}</dd>
    ${facts.fromName ? html`<dt>${msg('Sender name', { id: 'final.from' })}</dt><dd>${facts.fromName}</dd>` : nothing}
    <dt>${msg('Checks', { id: 'sum.checks' })}</dt>
    <dd>${intervalLabel(facts.checkIntervalSeconds)}</dd>
    <dt>${msg('After processing', { id: 'sum.after' })}</dt>
    <dd>${facts.deleteAfterProcessing ? msg('Deleted', { id: 'sum.deleted' }) : msg('Kept in the mailbox', { id: 'sum.kept' })}</dd>
  </dl>`;
}

import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { confidenceLabel } from '../messages.js';
import type { WizardHost } from './host.js';

/** The "found: Google Workspace, certain" card shown above the sign-in choices. */
export function detectionSummary(host: WizardHost) {
  const detection = host.state.detection;
  if (!detection) return nothing;
  const name = detection.provider?.name ?? detection.imap?.host ?? detection.domain;
  const found = detection.imap && detection.smtp;
  return html`<div class="card provider-found" part="detection">
    <span class="label">${found ? msg(str`Found: ${name}`, { id: 'auth.found' }) : msg('No settings found for this domain', { id: 'auth.notfound' })}</span>
    ${found
      ? html`<span class="hint">${detection.imap!.host} · ${detection.smtp!.host} — <span class="badge">${confidenceLabel(detection.confidence)}</span></span>`
      : nothing}
  </div>`;
}

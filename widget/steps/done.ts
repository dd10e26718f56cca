import { html } from 'lit';
import { msg } from '@lit/localize';
import { heading } from './shared.js';
import { settingsSummary } from './summary.js';
import type { WizardHost } from './host.js';

/** Step 6: what was connected. The element fires `ecw-complete` as it gets here. */
export function doneStep(host: WizardHost) {
  const { state } = host;
  return html`
    ${heading(msg('Your mailbox is connected', { id: 'done.title' }))}
    <p class="lead"><span class="ok" aria-hidden="true">✓</span> ${msg('New messages to this address will now arrive here, and replies go out from it.', { id: 'done.lead' })}</p>
    ${settingsSummary(state)}
    <div class="actions">
      <button class="primary" part="button button-primary" type="button" @click=${() => host.finish()}>${msg('View connection', { id: 'done.view' })}</button>
    </div>
  `;
}

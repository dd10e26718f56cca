import { LitElement, html, css } from 'lit';
import { customElement, property } from 'lit/decorators.js';

/**
 * `<email-config-wizard>`: connects a support mailbox. (Shell: the steps arrive with the widget issue.)
 *
 * @attr api-base - Base URL of the server API, e.g. `/api/email-settings`.
 * @attr session-token - Session token minted by the host backend.
 */
@customElement('email-config-wizard')
export class EmailConfigWizard extends LitElement {
  static override styles = css`
    :host { display: block; font-family: var(--ecw-font-family, system-ui, sans-serif); }
  `;

  @property({ attribute: 'api-base' }) apiBase = '/api/email-settings';
  @property({ attribute: 'session-token' }) sessionToken = '';

  override render() {
    return html`<section part="panel"><h2 part="heading">Connect your support mailbox</h2></section>`;
  }
}

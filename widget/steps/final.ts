import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import { CHECK_INTERVALS } from '../state.js';
import { backButton, errorAlert, formText, heading, passwordInput } from './shared.js';
import { successBanner } from './test.js';
import type { WizardHost } from './host.js';

/** An interval in words ("Every 5 minutes"). */
export function intervalLabel(seconds: number): string {
  switch (seconds) {
    case 60:
      return msg('Every minute', { id: 'int.1' });
    case 300:
      return msg('Every 5 minutes', { id: 'int.5' });
    case 900:
      return msg('Every 15 minutes', { id: 'int.15' });
    case 1800:
      return msg('Every 30 minutes', { id: 'int.30' });
    case 3600:
      return msg('Every hour', { id: 'int.60' });
    default:
      return `${Math.round(seconds / 60)} min`;
  }
}

/**
 * Step 5: the sender name, how often to check, and whether to delete processed mail. After a
 * reload the password (never stored) is asked for right here; the sender name typed is kept.
 * Opened from the overview ("Preferences") it is an edit, not a setup step.
 */
export function finalStep(host: WizardHost) {
  const { state } = host;
  const editing = state.mode !== 'setup';
  const intervals: number[] = CHECK_INTERVALS.includes(state.checkIntervalSeconds as (typeof CHECK_INTERVALS)[number])
    ? [...CHECK_INTERVALS]
    : [...CHECK_INTERVALS, state.checkIntervalSeconds].sort((a, b) => a - b);
  const askPassword = state.passwordLost && state.auth?.method === 'password';
  const passwordFault = state.faultFields.includes('auth.password');
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    if (askPassword) {
      const input = form.elements.namedItem('password') as HTMLInputElement;
      if (!input.value) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      host.dispatch({ type: 'choose-password', password: input.value });
    }
    host.save({
      fromName: formText(form, 'fromName'),
      checkIntervalSeconds: Number(formText(form, 'interval')),
      deleteAfterProcessing: (form.elements.namedItem('delete') as HTMLInputElement).checked,
    });
  };
  const toggleWarning = (event: Event) => {
    const box = event.currentTarget as HTMLInputElement;
    const warning = box.closest('form')!.querySelector<HTMLElement>('#ecw-delete-warning');
    if (warning) warning.hidden = !box.checked;
  };
  return html`
    ${heading(editing ? msg('Preferences', { id: 'ov.prefs' }) : msg('Final settings', { id: 'final.title' }))}
    ${!editing && state.testResult?.ok ? successBanner(state.imap?.username || state.email) : nothing}
    <p class="lead">${msg('How replies are signed and how mail is picked up.', { id: 'final.lead' })}</p>
    <form novalidate @submit=${onSubmit}>
      ${askPassword
        ? html`<div class="field" part="field">
            <label for="ecw-password" part="label">${msg('Password or app password', { id: 'auth.pwlabel' })}</label>
            ${passwordInput({ id: 'ecw-password', name: 'password', required: true, invalid: passwordFault, describedBy: 'ecw-password-lost', onInput: () => host.dispatch({ type: 'field-edited', field: 'auth.password' }) })}
            <p class="hint" id="ecw-password-lost">${msg('For your security the password is not kept when the page reloads. Please enter it again.', { id: 'auth.lost' })}</p>
          </div>`
        : nothing}
      <div class="field" part="field">
        <label for="ecw-from" part="label">${msg('Sender name', { id: 'final.from' })}</label>
        <input id="ecw-from" part="input" name="fromName" type="text" autocomplete="organization" maxlength="200"
          placeholder=${msg('e.g. Acme Support', { id: 'final.fromph' })} .value=${state.fromName} aria-describedby="ecw-from-hint"
          @input=${(event: Event) => host.dispatch({ type: 'draft', fromName: (event.currentTarget as HTMLInputElement).value })} />
        <p class="hint" id="ecw-from-hint">${msg('Shown to customers next to the address on every reply.', { id: 'final.fromhint' })}</p>
      </div>
      <div class="field" part="field">
        <label for="ecw-interval" part="label">${msg('Check for new mail', { id: 'final.interval' })}</label>
        <select id="ecw-interval" part="input" name="interval">
          ${intervals.map((seconds) => html`<option value=${seconds} ?selected=${seconds === state.checkIntervalSeconds}>${intervalLabel(seconds)}</option>`)}
        </select>
      </div>
      <label class="check">
        <input type="checkbox" name="delete" .checked=${state.deleteAfterProcessing} aria-describedby="ecw-delete-hint" @change=${toggleWarning} />
        <span>${msg('Delete messages from the mailbox after they are processed', { id: 'final.delete' })}</span>
      </label>
      <p class="hint" id="ecw-delete-hint">${msg('Off by default: messages stay in the mailbox and are only marked as read.', { id: 'final.deletehint' })}</p>
      <p class="warning" id="ecw-delete-warning" ?hidden=${!state.deleteAfterProcessing}>
        ${msg('Deleted messages cannot be recovered from the mailbox. Only turn this on if another copy is kept.', { id: 'final.warning' })}
      </p>
      ${errorAlert(host)}
      <div class="actions">
        <button class="primary" part="button button-primary" type="submit" ?disabled=${host.busy}>
          ${host.busy ? msg('Saving…', { id: 'final.saving' }) : editing ? msg('Save changes', { id: 'edit.save' }) : msg('Save and finish', { id: 'final.save' })}
        </button>
        ${backButton(host)}
      </div>
    </form>
  `;
}

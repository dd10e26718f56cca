import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { sourceLabel } from '../messages.js';
import { errorAlert, formText, heading, spinner } from './shared.js';
import type { WizardHost } from './host.js';
import { looksLikeEmail } from '../../server/contract/email-shape.js';

/** Whether `value` looks like an email address (the contract's one definition; the server has the last word). */
export const isEmailAddress = (value: string) => looksLikeEmail(value.trim());

function validate(input: HTMLInputElement): boolean {
  const valid = isEmailAddress(input.value);
  const message = input.value.trim() === '' ? msg('Enter an email address.', { id: 'addr.empty' }) : msg('Enter an address like support@example.com.', { id: 'addr.invalid' });
  input.setAttribute('aria-invalid', String(!valid));
  const note = input.parentElement?.querySelector<HTMLElement>('.field-error');
  if (note) {
    note.hidden = valid;
    note.textContent = valid ? '' : message;
  }
  return valid;
}

/** Step 1: the address, live validation, streamed detection progress. */
export function addressStep(host: WizardHost) {
  const { state } = host;
  const unsupported = state.detection?.provider?.supported === false ? state.detection : null;
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('email') as HTMLInputElement;
    if (!validate(input)) {
      input.focus();
      return;
    }
    host.detect(formText(form, 'email').trim());
  };
  const onInput = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    // Judge only once the person has typed something that could be complete.
    if (input.getAttribute('aria-invalid') === 'true' || input.value.includes('@')) validate(input);
  };
  return html`
    ${heading(msg('Connect your support mailbox', { id: 'addr.title' }))}
    <p class="lead">${msg('Enter the address your customers write to. We will find its settings for you.', { id: 'addr.lead' })}</p>
    <form novalidate @submit=${onSubmit}>
      <div class="field" part="field">
        <label for="ecw-email" part="label">${msg('Email address', { id: 'addr.label' })}</label>
        <input
          id="ecw-email"
          part="input"
          name="email"
          type="email"
          autocomplete="email"
          spellcheck="false"
          required
          aria-describedby="ecw-email-error"
          .value=${state.email}
          ?disabled=${host.busy}
          @input=${onInput}
          @blur=${(event: Event) => {
            const input = event.currentTarget as HTMLInputElement;
            if (input.value) validate(input);
          }}
        />
        <p class="field-error" id="ecw-email-error" hidden></p>
      </div>
      ${errorAlert(host)}
      ${unsupported
        ? html`<div class="alert" role="alert" part="error">
            <strong>${msg(str`${unsupported.provider?.name ?? unsupported.domain} cannot be connected over IMAP and SMTP.`, { id: 'addr.unsupported' })}</strong>
            <p>${msg('Use an address at a provider that offers IMAP and SMTP, or connect the mailbox this address forwards to.', { id: 'note.unsupported' })}</p>
            ${unsupported.notes.length
              ? html`<details><summary>${msg('Technical details', { id: 'test.details' })}</summary><ul lang="en">${unsupported.notes.map((note) => html`<li>${note}</li>`)}</ul></details>`
              : nothing}
          </div>`
        : nothing}
      ${host.busy || host.sources.length
        ? html`<div class="card" part="progress">
            <p class="label">${host.busy ? html`${spinner()} ${msg('Looking up your settings…', { id: 'addr.looking' })}` : msg('Looked up', { id: 'addr.looked' })}</p>
            <ul class="progress">
              ${host.sources.map(
                (entry) => html`<li>
                  <span aria-hidden="true" class=${entry.status === 'found' ? 'ok' : 'pending'}>${entry.status === 'running' ? '…' : entry.status === 'found' ? '✓' : '–'}</span>
                  <span>${sourceLabel(entry.source)}</span>
                </li>`,
              )}
            </ul>
          </div>`
        : nothing}
      <div class="actions">
        <button class="primary" part="button button-primary" type="submit" ?disabled=${host.busy}>
          ${host.busy ? msg('Looking up…', { id: 'addr.busy' }) : msg('Continue', { id: 'continue' })}
        </button>
        <span class="spacer"></span>
        <button class="link" type="button" part="button" ?disabled=${host.busy} @click=${(event: Event) => {
            const input = (event.currentTarget as HTMLElement).closest('form')?.querySelector('input');
            host.dispatch({ type: 'choose-manual', email: input?.value.trim() ?? '' });
          }}>
          ${msg('Set up manually', { id: 'manual.link' })}
        </button>
      </div>
    </form>
  `;
}

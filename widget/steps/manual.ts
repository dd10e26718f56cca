import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { errorText } from '../messages.js';
import { hasSavedPassword, keepsSavedPassword } from '../state.js';
import type { DetectionAlternative, MailServer } from '../api.js';
import { SECURITY_MODES } from '../../server/contract/codes.js';
import { backButton, errorAlert, formText, heading, passwordInput } from './shared.js';
import { explainFor } from './test.js';
import type { WizardHost } from './host.js';

type Protocol = 'imap' | 'smtp';
const SECURITIES: readonly MailServer['security'][] = SECURITY_MODES;

/** Security as the narrow select shows it (the summary spells it out). */
const shortSecurityLabel = (security: MailServer['security']) =>
  security === 'none' ? msg('None', { id: 'sec.nonesh' }) : security === 'tls' ? 'TLS' : 'STARTTLS';

/** Step 3b: every server setting, prefilled from detection, editable; the field a test blamed is marked. */
export function manualStep(host: WizardHost) {
  const { state } = host;
  const oauth = state.auth?.method === 'oauth';
  const keepSaved = keepsSavedPassword(state);
  const keepSavedSmtp = keepsSavedPassword(state, 'smtpPassword');
  // Every field a test or save blamed, with the sentence that says why; a field the person changed is no longer marked.
  const faultTexts = new Map<string, string>();
  for (const protocol of ['imap', 'smtp'] as const) {
    const error = state.testResult?.[protocol]?.error;
    if (!error?.field) continue;
    const field = error.field.includes('.') ? error.field : `${protocol}.${error.field}`;
    if (state.faultFields.includes(field) && !faultTexts.has(field)) faultTexts.set(field, explainFor(host, protocol, error).message);
  }
  if (host.error?.field && state.faultFields.includes(host.error.field) && !faultTexts.has(host.error.field)) faultTexts.set(host.error.field, errorText(host.error));
  const isFaulty = (name: string) => state.faultFields.includes(name);
  const alternatives = (state.detection?.alternatives ?? []).filter((alt) => alt.imap || alt.smtp);

  const readServer = (form: HTMLFormElement, protocol: Protocol): MailServer => {
    const same = (form.elements.namedItem('same') as HTMLInputElement | null)?.checked ?? true;
    return {
      host: formText(form, `${protocol}.host`).trim(),
      port: Number(formText(form, `${protocol}.port`)),
      security: formText(form, `${protocol}.security`) as MailServer['security'],
      username: (same && protocol === 'smtp' ? formText(form, 'imap.username') : formText(form, `${protocol}.username`)).trim(),
    };
  };
  // Typed values are kept in the state (and so survive a reload); a corrected field loses its error mark.
  const onInput = (event: Event) => {
    const target = event.target as HTMLInputElement;
    const form = event.currentTarget as HTMLFormElement;
    if (target.name && target.type !== 'checkbox') host.dispatch({ type: 'field-edited', field: target.name });
    if (/^(imap|smtp)\./.test(target.name) || target.name === 'same') host.dispatch({ type: 'draft', imap: readServer(form, 'imap'), smtp: readServer(form, 'smtp') });
  };
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const invalid = [...form.querySelectorAll<HTMLInputElement>('input[required]')].find((input) => !input.checkValidity() && !input.closest('[hidden]'));
    if (invalid) {
      invalid.setAttribute('aria-invalid', 'true');
      invalid.focus();
      return;
    }
    const same = (form.elements.namedItem('same') as HTMLInputElement | null)?.checked ?? true;
    host.dispatch({
      type: 'submit-manual',
      imap: readServer(form, 'imap'),
      smtp: readServer(form, 'smtp'),
      password: formText(form, 'auth.password'),
      smtpPassword: formText(form, 'auth.smtpPassword'),
      sameCredentials: same,
    });
  };

  const applyAlternative = (event: Event, alternative: DetectionAlternative) => {
    const form = (event.currentTarget as HTMLElement).closest('form')!;
    for (const protocol of ['imap', 'smtp'] as const) {
      const server = alternative[protocol];
      if (!server) continue;
      for (const key of ['host', 'port', 'security', 'username'] as const) {
        const control = form.elements.namedItem(`${protocol}.${key}`) as HTMLInputElement | HTMLSelectElement | null;
        if (control) control.value = String(server[key]);
      }
    }
    host.dispatch({ type: 'draft', imap: readServer(form, 'imap'), smtp: readServer(form, 'smtp') });
  };

  const fieldError = (name: string) => {
    const text = isFaulty(name) ? faultTexts.get(name) : undefined;
    return text ? html`<p class="field-error" id="ecw-${name}-error">${text}</p>` : nothing;
  };
  // `inRow`: port and security sit side by side; their errors go under the row, at its full width.
  const field = (name: string, label: string, control: unknown, hint?: string, inRow = false) => {
    return html`<div class="field" part="field">
      <label for="ecw-${name}" part="label">${label}</label>
      ${control}
      ${inRow ? nothing : fieldError(name)}
      ${hint ? html`<p class="hint" id="ecw-${name}-hint">${hint}</p>` : nothing}
    </div>`;
  };
  const invalid = (name: string) => String(isFaulty(name));
  const describedIds = (name: string, hint?: boolean) =>
    [isFaulty(name) && faultTexts.has(name) ? `ecw-${name}-error` : '', hint ? `ecw-${name}-hint` : ''].filter(Boolean).join(' ');
  const described = (name: string) => describedIds(name) || nothing;

  const serverFields = (protocol: Protocol, legend: string, server: MailServer | null, same: boolean) => html`
    <fieldset part="fieldset">
      <legend>${legend}</legend>
      ${field(
        `${protocol}.host`,
        msg('Server', { id: 'manual.host' }),
        html`<input id="ecw-${protocol}.host" name="${protocol}.host" part="input" type="text" required autocomplete="off" spellcheck="false"
          placeholder=${protocol === 'imap' ? 'imap.example.com' : 'smtp.example.com'} .value=${server?.host ?? ''}
          aria-invalid=${invalid(`${protocol}.host`)} aria-describedby=${described(`${protocol}.host`)} />`,
      )}
      <div class="row">
        ${field(
          `${protocol}.port`,
          msg('Port', { id: 'manual.port' }),
          html`<input id="ecw-${protocol}.port" name="${protocol}.port" part="input" type="number" inputmode="numeric" required min="1" max="65535"
            .value=${String(server?.port ?? '')} aria-invalid=${invalid(`${protocol}.port`)} aria-describedby=${described(`${protocol}.port`)} />`,
          undefined,
          true,
        )}
        ${field(
          `${protocol}.security`,
          msg('Security', { id: 'manual.security' }),
          html`<select id="ecw-${protocol}.security" name="${protocol}.security" part="input" aria-invalid=${invalid(`${protocol}.security`)}
            aria-describedby=${described(`${protocol}.security`)}>
            ${SECURITIES.map((security) => html`<option value=${security} ?selected=${server?.security === security}>${shortSecurityLabel(security)}</option>`)}
          </select>`,
          undefined,
          true,
        )}
      </div>
      ${fieldError(`${protocol}.port`)} ${fieldError(`${protocol}.security`)}
      <div ?hidden=${protocol === 'smtp' && same} data-smtp-credentials=${protocol === 'smtp' || nothing}>
        ${field(
          `${protocol}.username`,
          msg('User name', { id: 'manual.username' }),
          html`<input id="ecw-${protocol}.username" name="${protocol}.username" part="input" type="text" required autocomplete="username" spellcheck="false"
            .value=${server?.username ?? state.email} aria-invalid=${invalid(`${protocol}.username`)} aria-describedby=${described(`${protocol}.username`)} />`,
        )}
      </div>
    </fieldset>
  `;

  const saved = hasSavedPassword(state);
  const passwordHint = (keep: boolean) =>
    keep
      ? msg('Leave empty to keep the saved password.', { id: 'manual.keep' })
      : state.reenterPassword
        ? msg("Enter the mailbox's current password.", { id: 'manual.current' })
        : saved
          ? msg('You changed the server, so enter the password again: a saved password is only sent to the server it was saved for.', { id: 'manual.changed' })
          : undefined;
  const hint = passwordHint(keepSaved);
  const smtpHint = passwordHint(keepSavedSmtp);
  return html`
    ${heading(state.reenterPassword ? msg('Reconnect', { id: 'reconnect' }) : state.mode === 'setup' ? msg('Server settings', { id: 'manual.title' }) : msg('Edit servers', { id: 'ov.edit' }))}
    <p class="lead">${state.email ? msg(str`Check the settings for ${state.email}. All of them can be changed.`, { id: 'manual.lead' }) : nothing}</p>
    ${errorAlert(host)}
    ${state.passwordLost
      ? html`<p class="warning" role="status">${msg('For your security the password is not kept when the page reloads. Please enter it again.', { id: 'auth.lost' })}</p>`
      : nothing}
    <form novalidate @submit=${onSubmit} @input=${onInput}>
      ${alternatives.length
        ? html`<div class="card" part="alternatives">
            <p class="label">${msg('Other settings that may work', { id: 'manual.alternatives' })}</p>
            <div class="actions">
              ${alternatives.map(
                (alternative) => html`<button type="button" part="button" @click=${(event: Event) => applyAlternative(event, alternative)}>
                  ${[alternative.imap && `${alternative.imap.host}:${alternative.imap.port}`, alternative.smtp && `${alternative.smtp.host}:${alternative.smtp.port}`].filter(Boolean).join(' · ')}
                </button>`,
              )}
            </div>
          </div>`
        : nothing}
      <div class="columns">
        ${serverFields('imap', msg('Incoming mail (IMAP)', { id: 'manual.imap' }), state.imap, false)}
        ${serverFields('smtp', msg('Outgoing mail (SMTP)', { id: 'manual.smtp' }), state.smtp, state.sameCredentials)}
      </div>
      ${oauth
        ? nothing
        : html`
            ${field(
              'auth.password',
              msg('Password or app password', { id: 'auth.pwlabel' }),
              passwordInput({ id: 'ecw-auth.password', name: 'auth.password', value: state.password, required: !keepSaved, invalid: isFaulty('auth.password'), describedBy: describedIds('auth.password', !!hint), next: state.reenterPassword }),
              hint,
            )}
            <label class="check">
              <input type="checkbox" name="same" .checked=${state.sameCredentials}
                @change=${(event: Event) => {
                  const box = event.currentTarget as HTMLInputElement;
                  for (const block of box.closest('form')!.querySelectorAll<HTMLElement>('[data-smtp-credentials]')) block.hidden = box.checked;
                }} />
              <span>${msg('Use the same user name and password for sending (SMTP)', { id: 'manual.same' })}</span>
            </label>
            <div ?hidden=${state.sameCredentials} data-smtp-credentials>
              ${field(
                'auth.smtpPassword',
                msg('SMTP password', { id: 'manual.smtppw' }),
                passwordInput({ id: 'ecw-auth.smtpPassword', name: 'auth.smtpPassword', autocomplete: 'off', invalid: isFaulty('auth.smtpPassword'), describedBy: describedIds('auth.smtpPassword', !!smtpHint) }),
                smtpHint,
              )}
            </div>
          `}
      <div class="actions">
        <button class="primary" part="button button-primary" type="submit">${msg('Test connection', { id: 'auth.test' })}</button>
        ${backButton(host)}
      </div>
    </form>
  `;
}

import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { errorText, failureText } from '../messages.js';
import { hasSavedPassword } from '../state.js';
import type { DetectionAlternative, MailServer } from '../api.js';
import { backButton, errorAlert, formText, heading } from './shared.js';
import type { WizardHost } from './host.js';

type Protocol = 'imap' | 'smtp';
const SECURITIES: MailServer['security'][] = ['tls', 'starttls', 'none'];

/** Security as the narrow select shows it (the summary spells it out). */
const shortSecurityLabel = (security: MailServer['security']) =>
  security === 'none' ? msg('None', { id: 'sec.nonesh' }) : security === 'tls' ? 'TLS' : 'STARTTLS';

/** Step 3b: every server setting, prefilled from detection, editable; the field a test blamed is marked. */
export function manualStep(host: WizardHost) {
  const { state } = host;
  const oauth = state.auth?.method === 'oauth';
  const keepSaved = hasSavedPassword(state);
  const fault = state.faultField;
  const failure = state.testResult?.imap?.error ?? state.testResult?.smtp?.error;
  const faultText = failure
    ? failureText(failure, host.localeInUse).message
    : host.error && host.error.field === fault
      ? errorText(host.error, host.localeInUse)
      : '';
  const alternatives = (state.detection?.alternatives ?? []).filter((alt) => alt.imap || alt.smtp);

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
    const server = (protocol: Protocol): MailServer => ({
      host: formText(form, `${protocol}.host`).trim(),
      port: Number(formText(form, `${protocol}.port`)),
      security: formText(form, `${protocol}.security`) as MailServer['security'],
      username: (same && protocol === 'smtp' ? formText(form, 'imap.username') : formText(form, `${protocol}.username`)).trim(),
    });
    host.dispatch({
      type: 'submit-manual',
      imap: server('imap'),
      smtp: server('smtp'),
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
  };

  const field = (name: string, label: string, control: unknown, hint?: string) => {
    const faulty = fault === name;
    return html`<div class="field" part="field">
      <label for="ecw-${name}" part="label">${label}</label>
      ${control}
      ${faulty && faultText ? html`<p class="field-error" id="ecw-${name}-error">${faultText}</p>` : nothing}
      ${hint ? html`<p class="hint" id="ecw-${name}-hint">${hint}</p>` : nothing}
    </div>`;
  };
  const invalid = (name: string) => String(fault === name);
  const described = (name: string, hint?: boolean) =>
    [fault === name ? `ecw-${name}-error` : '', hint ? `ecw-${name}-hint` : ''].filter(Boolean).join(' ') || nothing;

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
        )}
        ${field(
          `${protocol}.security`,
          msg('Security', { id: 'manual.security' }),
          html`<select id="ecw-${protocol}.security" name="${protocol}.security" part="input" aria-invalid=${invalid(`${protocol}.security`)}
            aria-describedby=${described(`${protocol}.security`)}>
            ${SECURITIES.map((security) => html`<option value=${security} ?selected=${server?.security === security}>${shortSecurityLabel(security)}</option>`)}
          </select>`,
        )}
      </div>
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

  const passwordHint = keepSaved ? msg('Leave empty to keep the saved password.', { id: 'manual.keep' }) : undefined;
  return html`
    ${heading(msg('Server settings', { id: 'manual.title' }))}
    <p class="lead">${state.email ? msg(str`Check the settings for ${state.email}. All of them can be changed.`, { id: 'manual.lead' }) : nothing}</p>
    ${errorAlert(host)}
    ${state.passwordLost
      ? html`<p class="warning" role="status">${msg('For your security the password is not kept when the page reloads. Please enter it again.', { id: 'auth.lost' })}</p>`
      : nothing}
    <form novalidate @submit=${onSubmit}>
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
              html`<input id="ecw-auth.password" name="auth.password" part="input" type="password" autocomplete="current-password"
                ?required=${!keepSaved} .value=${state.password} aria-invalid=${invalid('auth.password')}
                aria-describedby=${described('auth.password', !!passwordHint)} />`,
              passwordHint,
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
                html`<input id="ecw-auth.smtpPassword" name="auth.smtpPassword" part="input" type="password" autocomplete="off"
                  aria-invalid=${invalid('auth.smtpPassword')} aria-describedby=${described('auth.smtpPassword', !!passwordHint)} />`,
                passwordHint,
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

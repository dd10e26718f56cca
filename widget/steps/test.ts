import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import { fieldLabel } from '../messages.js';
import { accountMismatch } from '../state.js';
import type { ProtocolResult } from '../api.js';
import { explainFailure, phaseLabel, type Explained } from './explain.js';
import { hintsOf } from './provider-help.js';
import { backButton, errorAlert, heading, spinner } from './shared.js';
import type { LivePhase, WizardHost } from './host.js';

type Protocol = 'imap' | 'smtp';

/** A test failure of `protocol` explained from its code and the settings that were tested. */
export function explainFor(host: WizardHost, protocol: Protocol, error: NonNullable<ProtocolResult['error']>): Explained {
  const { state } = host;
  const oauth = state.auth?.method === 'oauth' ? state.auth : undefined;
  return explainFailure(error, { protocol, server: state[protocol], oauthProvider: oauth?.provider, signedIn: oauth?.connectedEmail, hints: hintsOf(state.detection) });
}

/** One explained failure as an alert: sentence, steps, the provider's page, the setting to check, the server's own words. */
export function failureAlert(explained: Explained, field: string | undefined, title?: string) {
  return html`<div class="alert" role="alert" part="error">
    <strong>${title ? html`${title}: ` : nothing}<span lang=${explained.fallback ? 'en' : nothing}>${explained.message}</span></strong>
    ${explained.steps.length ? html`<ol lang=${explained.fallback ? 'en' : nothing}>${explained.steps.map((step) => html`<li>${step}</li>`)}</ol>` : nothing}
    ${explained.link ? html`<p><a href=${explained.link.href} target="_blank" rel="noopener noreferrer">${explained.link.text}</a></p>` : nothing}
    ${field && field !== 'auth' ? html`<p class="hint">${msg('Setting to check:', { id: 'test.field' })} ${fieldLabel(field)}</p>` : nothing}
    ${explained.fallback ? nothing : html`<details data-original><summary>${msg('Technical details', { id: 'test.details' })}</summary><p class="hint" lang="en">${explained.original}</p></details>`}
  </div>`;
}

/** Step 4: both checks, each protocol's outcome as it arrives, failures explained with steps, retry. */
export function testStep(host: WizardHost) {
  const { state } = host;
  const result = state.testResult;
  const passed = result?.ok === true;
  const outcomes: Record<Protocol, ProtocolResult | undefined> = { imap: result?.imap ?? host.partial.imap, smtp: result?.smtp ?? host.partial.smtp };
  const explained = (['imap', 'smtp'] as const).map((protocol) => {
    const error = outcomes[protocol]?.error;
    return error ? { protocol, error, text: explainFor(host, protocol, error) } : null;
  });
  // The same failure on both sides is said once, below both checks.
  const [imapFailure, smtpFailure] = explained;
  const sameCause = (smtpFailure?.error as { sameCauseAs?: string } | undefined)?.sameCauseAs === 'imap';
  const shared = imapFailure && smtpFailure && (sameCause || (imapFailure.text.message === smtpFailure.text.message && imapFailure.error.field === smtpFailure.error.field)) ? imapFailure : null;
  const titles = { imap: msg('Receiving (IMAP)', { id: 'test.imap' }), smtp: msg('Sending (SMTP)', { id: 'test.smtp' }) };

  const column = (protocol: Protocol, live: LivePhase[]) => {
    const outcome = outcomes[protocol];
    const phases = outcome?.phases ?? live;
    const failedPhase = phases.find((phase) => !phase.ok);
    // A failed phase tells the outcome before the explanation arrives.
    const ok = outcome ? outcome.ok : failedPhase ? false : undefined;
    const failure = explained[protocol === 'imap' ? 0 : 1];
    const list = html`<ul class="progress">
      ${phases.map((phase: LivePhase) =>
        phase.running
          ? html`<li><span class="pending" aria-hidden="true">${spinner()}</span><span>${phaseLabel(phase.name)}…</span></li>`
          : html`<li>
              <span class=${phase.ok ? 'ok' : 'bad'} aria-hidden="true">${phase.ok ? '✓' : '✗'}</span>
              <span>${phaseLabel(phase.name)}<span class="visually-hidden">: ${phase.ok ? msg('done', { id: 'test.phaseok' }) : msg('failed', { id: 'test.phasebad' })}</span></span>
              <span class="ms">${phase.ms} ms</span>
            </li>`,
      )}
    </ul>`;
    return html`<section class="card" part="test-result" aria-labelledby="ecw-test-${protocol}" data-protocol=${protocol}>
      <h3 id="ecw-test-${protocol}">
        ${titles[protocol]}
        ${ok === true
          ? html`<span class="badge ok">${msg('Works', { id: 'test.works' })}</span>`
          : ok === false
            ? html`<span class="badge bad">${msg('Failed', { id: 'test.failed' })}</span>`
            : host.busy
              ? spinner()
              : nothing}
      </h3>
      ${ok === true && outcome ? html`<details><summary>${msg('Show the steps', { id: 'test.steps' })}</summary>${list}</details>` : list}
      ${failure && !shared ? failureAlert(failure.text, failure.error.field) : nothing}
    </section>`;
  };

  const oauth = state.auth?.method === 'oauth' ? state.auth : null;
  const codes = [outcomes.imap?.error?.code, outcomes.smtp?.error?.code];
  const failedAuth = codes.includes('OAUTH_TOKEN_INVALID') || codes.includes('ACCOUNT_MISMATCH') || state.faultField === 'auth.provider';
  // A field the forms show; an OAuth sign-in is fixed by signing in again instead.
  const fixable = state.faultFields.length > 0 && !state.faultFields.includes('auth.provider');
  const mailbox = state.imap?.username || state.email;
  return html`
    ${heading(msg('Testing the connection', { id: 'test.title' }))}
    <p class="lead" role="status">
      ${host.busy
        ? msg('Signing in to receive and send… this takes a few seconds.', { id: 'test.running' })
        : passed
          ? nothing
          : result
            ? msg('The mailbox could not be reached with these settings.', { id: 'test.failedlead' })
            : nothing}
    </p>
    ${passed ? successBanner(mailbox) : nothing}
    ${errorAlert(host)}
    <div class="columns">
      ${state.imap ? column('imap', host.phases.imap) : nothing}
      ${state.smtp ? column('smtp', host.phases.smtp) : nothing}
    </div>
    ${shared ? failureAlert(shared.text, shared.error.field, `${titles.imap} · ${titles.smtp}`) : nothing}
    <div class="actions">
      ${passed && state.mode === 'retest'
        ? html`<button class="primary" part="button button-primary" type="button" data-next @click=${() => host.dispatch({ type: 'back' })}>${msg('Done', { id: 'done' })}</button>`
        : nothing}
      ${!passed && (result || host.error) && !host.busy
        ? html`
            ${oauth && failedAuth
              ? html`<button class="primary" part="button button-primary" type="button" data-next @click=${() => host.startOAuth(oauth.provider)}>${accountMismatch(state) || codes.includes('ACCOUNT_MISMATCH') ? msg('Sign in with another account', { id: 'oauth.other' }) : msg('Reconnect', { id: 'reconnect' })}</button>`
              : nothing}
            <button class=${fixable && !failedAuth ? 'primary' : ''} part="button" type="button" ?data-next=${fixable && !failedAuth} @click=${() => host.dispatch({ type: 'fix-settings' })}>
              ${fixable ? msg('Fix the setting', { id: 'test.fix' }) : msg('Edit settings', { id: 'test.edit' })}
            </button>
            <button class=${fixable || failedAuth ? '' : 'primary'} part="button" type="button" ?data-next=${!fixable && !failedAuth} @click=${() => host.runTest()}>${msg('Try again', { id: 'retry' })}</button>
            ${state.mode === 'retest' ? backButton(host) : nothing}
          `
        : nothing}
    </div>
  `;
}

/** The success state: the connection works, named with the mailbox it works for. */
export const successBanner = (mailbox: string) =>
  html`<div class="success" role="status" part="success">
    <span class="ok" aria-hidden="true">✓</span>
    <div><strong>${msg(str`Connected as ${mailbox}.`, { id: 'test.connectedas' })}</strong> ${msg('Receiving and sending work.', { id: 'test.bothwork' })}</div>
  </div>`;

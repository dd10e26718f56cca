import { html, nothing } from 'lit';
import { msg } from '@lit/localize';
import { failureText, fieldLabel, phaseLabel } from '../messages.js';
import type { ProtocolResult, TestPhase } from '../api.js';
import { backButton, errorAlert, heading, spinner } from './shared.js';
import type { WizardHost } from './host.js';

/** Step 4: both checks, phases live, failures explained with steps, retry. */
export function testStep(host: WizardHost) {
  const { state } = host;
  const result = state.testResult;
  const passed = result?.ok === true;
  const column = (protocol: 'imap' | 'smtp', title: string, outcome: ProtocolResult | undefined, live: TestPhase[]) => {
    const phases = outcome?.phases ?? live;
    const failure = outcome?.error ? failureText(outcome.error, host.localeInUse) : null;
    return html`<section class="card" part="test-result" aria-labelledby="ecw-test-${protocol}">
      <h3 id="ecw-test-${protocol}">
        ${title}
        ${outcome
          ? html`<span class="badge ${outcome.ok ? 'ok' : 'bad'}">${outcome.ok ? msg('Works', { id: 'test.works' }) : msg('Failed', { id: 'test.failed' })}</span>`
          : host.busy
            ? spinner()
            : nothing}
      </h3>
      <ul class="progress">
        ${phases.map(
          (phase) => html`<li>
            <span class=${phase.ok ? 'ok' : 'bad'} aria-hidden="true">${phase.ok ? '✓' : '✗'}</span>
            <span>${phaseLabel(phase.name)}<span class="visually-hidden">: ${phase.ok ? msg('done', { id: 'test.phaseok' }) : msg('failed', { id: 'test.phasebad' })}</span></span>
            <span class="ms">${phase.ms} ms</span>
          </li>`,
        )}
      </ul>
      ${failure
        ? html`<div class="alert" role="alert" part="error">
            <strong>${failure.message}</strong>
            ${failure.steps.length ? html`<ol>${failure.steps.map((step) => html`<li>${step}</li>`)}</ol>` : nothing}
            ${outcome?.error?.field ? html`<p class="hint">${msg('Setting to check:', { id: 'test.field' })} ${fieldLabel(outcome.error.field)}</p>` : nothing}
            ${failure.original ? html`<details><summary>${msg('Technical details', { id: 'test.details' })}</summary><p class="hint" lang="en">${failure.original}</p></details>` : nothing}
          </div>`
        : nothing}
    </section>`;
  };
  const oauth = state.auth?.method === 'oauth';
  const failedAuth = [result?.imap?.error?.code, result?.smtp?.error?.code].includes('OAUTH_TOKEN_INVALID') || state.faultField === 'auth.provider';
  // A field the manual form shows; an OAuth sign-in is fixed by reconnecting instead.
  const fixable = state.faultField !== null && state.faultField !== 'auth.provider';
  return html`
    ${heading(msg('Testing the connection', { id: 'test.title' }))}
    <p class="lead" role="status">
      ${host.busy
        ? msg('Signing in to receive and send… this takes a few seconds.', { id: 'test.running' })
        : passed
          ? msg('Everything works.', { id: 'test.passed' })
          : result
            ? msg('The mailbox could not be reached with these settings.', { id: 'test.failedlead' })
            : nothing}
    </p>
    ${errorAlert(host)}
    <div class="columns">
      ${state.imap ? column('imap', msg('Receiving (IMAP)', { id: 'test.imap' }), result?.imap, host.phases.imap) : nothing}
      ${state.smtp ? column('smtp', msg('Sending (SMTP)', { id: 'test.smtp' }), result?.smtp, host.phases.smtp) : nothing}
    </div>
    <div class="actions">
      ${passed && state.mode === 'retest'
        ? html`<button class="primary" part="button button-primary" type="button" @click=${() => host.dispatch({ type: 'back' })}>${msg('Done', { id: 'done' })}</button>`
        : nothing}
      ${!passed && !host.busy
        ? html`
            ${oauth && failedAuth && state.auth?.method === 'oauth'
              ? html`<button class="primary" part="button button-primary" type="button" @click=${() => state.auth?.method === 'oauth' && host.startOAuth(state.auth.provider)}>${msg('Reconnect', { id: 'reconnect' })}</button>`
              : nothing}
            <button class=${fixable ? 'primary' : ''} part="button" type="button" @click=${() => host.dispatch({ type: 'fix-settings' })}>
              ${fixable ? msg('Fix the setting', { id: 'test.fix' }) : msg('Edit settings', { id: 'test.edit' })}
            </button>
            <button class=${fixable || failedAuth ? '' : 'primary'} part="button" type="button" @click=${() => host.runTest()}>${msg('Try again', { id: 'retry' })}</button>
            ${state.mode === 'retest' ? backButton(host) : nothing}
          `
        : nothing}
    </div>
  `;
}

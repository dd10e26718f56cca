import { msg } from '@lit/localize';
import type { LivePhase, WizardHost } from './steps/host.js';
import type { ProtocolResult, StreamEvent, TestPhase } from './api.js';
import type { EmailConfigWizard } from './email-config-wizard.js';
import { settingsInput, testRequest } from './state.js';
import { phaseLabel } from './steps/explain.js';

/**
 * The element's work that only later steps start — the connection test with its live progress,
 * saving, disconnecting — moved out of it into the later steps' chunk (widget/lazy-steps.ts);
 * the element's tasks call these with itself as `host` (private members as `host['name']`).
 */

/** Runs the connection test, showing each phase and each protocol's result as it arrives. */
export async function runConnectionTest(host: EmailConfigWizard, signal: AbortSignal): Promise<void> {
  host.phases = { imap: [], smtp: [] };
  host.partial = {};
  const result = await host['api'].test(testRequest(host.state), { signal, onEvent: (event) => onTestProgress(host, event) });
  host['announce'](result.ok ? msg('Everything works.', { id: 'test.passed' }) : msg('The mailbox could not be reached with these settings.', { id: 'test.failedlead' }));
  host.dispatch({ type: 'test-finished', result });
}

/** Saves the settings (secrets go to the server only). */
export async function saveSettings(host: EmailConfigWizard, final: Parameters<WizardHost['save']>[0]): Promise<void> {
  await host['api'].saveSettings(settingsInput(host.state, final));
  host.dispatch({ type: 'saved', ...final });
}

/** Forgets the saved settings and secrets. */
export async function disconnectMailbox(host: EmailConfigWizard): Promise<void> {
  await host['api'].deleteSettings();
  host.confirmingDisconnect = false;
  host.dispatch({ type: 'disconnected' });
}

/** A progress event of the connection test: a phase as it starts and ends, or one protocol's whole result. */
function onTestProgress(host: EmailConfigWizard, { event, data }: StreamEvent): void {
  const protocol = data.protocol;
  if (protocol !== 'imap' && protocol !== 'smtp') return;
  // One protocol's whole result, sent as soon as its check ends: shown without waiting for the other.
  if (event === 'protocol' && Array.isArray(data.phases)) {
    host.partial = { ...host.partial, [protocol]: { ok: data.ok === true, phases: data.phases as TestPhase[], ...(data.error ? { error: data.error as ProtocolResult['error'] } : {}) } };
    return;
  }
  if (typeof data.name !== 'string') return;
  // A `progress` event names a phase as it starts; its `phase` event replaces it when it ends.
  const phase: LivePhase = { name: data.name as TestPhase['name'], ok: data.ok !== false, ms: Number(data.ms ?? 0), ...(data.running === true ? { running: true } : {}) };
  const earlier = host.phases[protocol].filter((entry) => !(entry.running && entry.name === phase.name));
  host.phases = { ...host.phases, [protocol]: [...earlier, phase] };
  if (phase.running) return;
  host['announce'](`${protocol.toUpperCase()}: ${phaseLabel(phase.name)}: ${phase.ok ? msg('done', { id: 'test.phaseok' }) : msg('failed', { id: 'test.phasebad' })}`);
}

import { LitElement, adoptStyles, html, nothing, type PropertyValues } from 'lit';
import { msg, updateWhenLocaleChanges } from '@lit/localize';
import { Task, TaskStatus } from './task.js';
import { ApiError, accountOfToken, createApiClient, type ApiClient, type DetectionProgress, type OAuthProvider, type ProtocolResult, type ProvidersStatus, type StreamEvent, type TestPhase } from './api.js';
import { setWidgetLocale, localeFor } from './locales/index.js';
import { probeApi, type SetupMistake } from './probe.js';
import type { EmailConfigWizardEventMap } from './events.js';
import { errorText } from './messages.js';
import {
  STAGES,
  completionDetail,
  initialState,
  restore,
  snapshot,
  stageFor,
  withProviderHints,
  stageOf,
  transition,
  type Step,
  type WizardEvent,
  type WizardState,
} from './state.js';
import { wizardStyles } from './styles.js';
import { addressStep } from './steps/address.js';
import { laterSteps, loadLaterSteps } from './lazy-steps.js';
import type { LivePhase, SourceProgress, WizardHost } from './steps/host.js';
import { spinner } from './steps/shared.js';

/** How long after the document is ready a missing session token counts as a mistake. */
const TOKEN_GRACE_MS = 1000;
const STORAGE_PREFIX = 'ecw:';

type Failure = Pick<ApiError, 'code' | 'message' | 'field'>;

/**
 * `<email-config-wizard>`: connects a support mailbox (IMAP in, SMTP out) — address, detection,
 * OAuth or password, a real connection test, final settings — or shows and manages the one
 * already connected.
 *
 * @attr api-base - Base URL of the widget API. Default `/api/email-settings`.
 * @attr session-token - Session token minted by the host backend (`POST /sessions`).
 * @attr email - Address to prefill.
 * @attr locale - `en`, `de`, `fr` or `es` (region tags such as `de-AT` work). Default: the page's `lang`.
 * @attr theme - `light` (default), `dark` or `auto` (follows the system).
 * @prop fetchSessionToken - `() => Promise<string>`: called when the token expired; answers a fresh one.
 *
 * @fires ecw-step-change - `{step, previousStep, stage}` whenever the visible step changes.
 * @fires ecw-complete - `{email, provider, authMethod, oauthProvider, imap, smtp, fromName, checkIntervalSeconds, deleteAfterProcessing}`; never a secret.
 * @fires ecw-error - `{code, message, step}` for every failure shown.
 * @fires ecw-cancel - `{step}` when the person cancels a sign-in.
 *
 * @csspart panel - The card around everything.
 * @csspart steps - The step indicator (`<ol>`); each item is part `step`.
 * @csspart heading - Each step's heading.
 * @csspart field, label, input - Form rows, their labels and controls.
 * @csspart button, button-primary - Buttons; the main action also has `button-primary`.
 * @csspart error - Alerts.
 * @csspart progress, detection, test-result, summary, alternatives, fieldset, oauth-button - Step content blocks.
 *
 * @cssprop --ecw-font-family, --ecw-font-size, --ecw-radius, --ecw-max-width, --ecw-shadow, --ecw-focus-ring
 * @cssprop --ecw-color-background, --ecw-color-surface, --ecw-color-text, --ecw-color-muted, --ecw-color-border
 * @cssprop --ecw-color-primary, --ecw-color-on-primary, --ecw-color-danger, --ecw-color-success, --ecw-color-warning, --ecw-color-warning-background
 */
export class EmailConfigWizard extends LitElement implements WizardHost {
  static override styles = wizardStyles;

  /** Lit's reactive properties, declared without decorators (smaller script-tag file); the fields below hold their defaults. */
  static override properties = {
    apiBase: { attribute: 'api-base' },
    sessionToken: { attribute: 'session-token' },
    email: {},
    locale: {},
    theme: { reflect: true },
    fetchSessionToken: { attribute: false },
    state: { state: true },
    providers: { state: true },
    error: { state: true },
    sources: { state: true },
    phases: { state: true },
    partial: { state: true },
    redirecting: { state: true },
    confirmingDisconnect: { state: true },
    announcement: { state: true },
  };

  apiBase = '/api/email-settings';
  sessionToken = '';
  email = '';
  locale = '';
  theme: 'light' | 'dark' | 'auto' = 'light';
  /** Answers a session token (at start when none is set, and again when one expired); set by the host page. */
  fetchSessionToken?: () => Promise<string>;

  state: WizardState = initialState();
  providers: Partial<ProvidersStatus> = {};
  error: Failure | null = null;
  sources: SourceProgress[] = [];
  phases: { imap: LivePhase[]; smtp: LivePhase[] } = { imap: [], smtp: [] };
  partial: Partial<Record<'imap' | 'smtp', ProtocolResult>> = {};
  redirecting = false;
  confirmingDisconnect = false;
  private announcement = '';

  private client?: { base: string; api: ApiClient };
  private started = false;
  private startAttempt = 0;
  private probes = new Map<string, Promise<ApiError | null>>();
  private flowWatch?: AbortController;
  private popup: Window | null = null;
  /** A person's action reloads the wizard (View connection): focus follows once it has loaded. */
  private focusAfterLoad = false;

  constructor() {
    super();
    updateWhenLocaleChanges(this);
  }

  private loadTask = new Task(this, {
    autoRun: false,
    task: async (_args: [], { signal }) => {
      const [settings, providers] = await Promise.all([this.api.getSettings(), this.api.providers().catch(() => ({}))]);
      // A saved mailbox opens on the overview, one of the later steps.
      if (settings) await loadLaterSteps();
      if (signal.aborted) return;
      this.providers = providers;
      this.dispatch({ type: 'loaded', settings });
    },
    onError: (error) => this.fail(error),
  });

  private detectTask = new Task(this, {
    autoRun: false,
    task: async ([email]: [string], { signal }) => {
      this.sources = [];
      let hints: unknown;
      const found = await this.api.detect(email, { signal, onEvent: (event) => (event.event === 'provider' ? (hints = event.data.hints) : this.onDetectProgress(event)) });
      const detection = withProviderHints(found, hints);
      this.sources = this.sources.map((entry) => (entry.status === 'running' ? { ...entry, status: 'none' } : entry));
      this.announce(detection.provider ? `${msg('Found:', { id: 'found' })} ${detection.provider.name}` : '');
      await loadLaterSteps();
      this.dispatch({ type: 'detected', detection });
    },
    onError: (error) => this.fail(error),
  });

  private testTask = new Task(this, {
    autoRun: false,
    task: (_args: [], { signal }) => laterSteps()!.runConnectionTest(this, signal),
    onError: (error) => {
      // A test the server refused for a setting (PASSWORD_REQUIRED after a server was edited…): back to that field.
      if (error instanceof ApiError && error.field) this.dispatch({ type: 'save-refused', field: error.field });
      this.fail(error);
    },
  });

  private saveTask = new Task(this, {
    autoRun: false,
    task: ([final]: [Parameters<WizardHost['save']>[0]]) => laterSteps()!.saveSettings(this, final),
    onError: (error) => {
      if (error instanceof ApiError && error.field) this.dispatch({ type: 'save-refused', field: error.field });
      this.fail(error);
    },
  });

  private disconnectTask = new Task(this, {
    autoRun: false,
    task: () => laterSteps()!.disconnectMailbox(this),
    onError: (error) => this.fail(error),
  });

  private get tasks() {
    return [this.loadTask, this.detectTask, this.testTask, this.saveTask, this.disconnectTask];
  }

  /** True while the current step's network work runs. */
  get busy(): boolean {
    return this.tasks.some((task) => task.status === TaskStatus.PENDING);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('message', this.onMessage);
    this.requestStart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('message', this.onMessage);
    this.flowWatch?.abort();
  }

  /** Starts over: forgets the resumable state and the transient messages, then loads afresh. */
  reset(): void {
    sessionStorage.removeItem(this.storageKey);
    this.flowWatch?.abort();
    this.error = null;
    this.sources = [];
    this.confirmingDisconnect = false;
    this.state = initialState(this.email);
    this.started = false;
    this.probes.clear();
    this.requestStart();
  }

  /** Applies a state-machine event (see `state.ts`). */
  dispatch(event: WizardEvent): void {
    const next = transition(this.state, event);
    if (next === this.state) return;
    if (next.step !== this.state.step || event.type === 'reset') this.error = null;
    this.state = next;
  }

  detect(email: string): void {
    this.error = null;
    void this.detectTask.run([email]);
  }

  runTest(): void {
    this.error = null;
    this.state = { ...this.state, testResult: null };
    void this.testTask.run([]);
  }

  save(final: Parameters<WizardHost['save']>[0]): void {
    this.error = null;
    void this.saveTask.run([final]);
  }

  /** Opens or closes the disconnect confirmation; focus goes to its safe choice, and back to Disconnect on close. */
  askDisconnect(ask: boolean): void {
    this.confirmingDisconnect = ask;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(ask ? '[data-keep]' : '[data-disconnect]')?.focus());
  }

  disconnect(): void {
    void this.disconnectTask.run([]);
  }

  finish(): void {
    this.focusAfterLoad = true;
    this.state = initialState(this.email);
    this.started = false;
    this.requestStart();
  }

  /** Opens the provider's sign-in (widget/oauth-flow.ts, in the later steps' chunk: only those steps call it). */
  startOAuth(provider: OAuthProvider): void {
    laterSteps()!.startOAuthFlow(this, provider);
  }

  /** Leaves the page for the sign-in (redirect mode); a seam that tests replace. */
  protected navigate(url: string): void {
    laterSteps()!.navigateTo(url);
  }

  cancelOAuth(): void {
    laterSteps()!.cancelOAuthFlow(this);
  }

  /** Watches a started sign-in until it ends (widget/oauth-flow.ts). */
  private watchFlow(flowId: string): void {
    laterSteps()?.watchOAuthFlow(this, flowId);
  }

  private wakeFlow: () => void = () => undefined;

  private onMessage = (event: MessageEvent) => {
    if (event.origin !== this.apiOrigin) return;
    const data = event.data as { flowId?: unknown } | null;
    if (data && typeof data === 'object' && data.flowId === this.state.oauthFlowId) this.wakeFlow();
  };

  private get apiOrigin(): string {
    return new URL(this.apiBase, window.location.href).origin;
  }

  private get storageKey(): string {
    // Per API and account: a host that switches accounts in one tab never resumes another's flow.
    return `${STORAGE_PREFIX}${new URL(this.apiBase, window.location.href).href}#${accountOfToken(this.sessionToken)}`;
  }

  /** The API client for the current `api-base` (the token is read on every call). */
  private get api(): ApiClient {
    if (this.client?.base !== this.apiBase) this.client = { base: this.apiBase, api: this.createClient() };
    return this.client.api;
  }

  private createClient(): ApiClient {
    return createApiClient({
      base: this.apiBase,
      token: () => this.sessionToken,
      locale: () => this.activeLocale,
      renewToken: async () => {
        if (!this.fetchSessionToken) return null;
        const token = await this.fetchSessionToken();
        this.sessionToken = token;
        return token;
      },
    });
  }

  private get activeLocale(): string {
    return localeFor(this.locale || this.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang);
  }

  /** The locale the steps render in (used for dates and for choosing server or widget text). */
  get localeInUse(): string {
    return this.activeLocale;
  }

  /**
   * Starts (once) as soon as everything it needs is there, whatever order the host sets
   * `api-base`, `session-token` and `fetchSessionToken` in — before or after the element upgraded
   * (Lit re-applies properties set on the un-upgraded element) or was connected. Each call
   * supersedes the previous attempt; setup mistakes are shown at once (see `probeApi`).
   */
  private requestStart(): void {
    if (this.started || !this.isConnected) return;
    const attempt = ++this.startAttempt;
    void this.start(() => attempt === this.startAttempt && !this.started && this.isConnected);
  }

  private async start(current: () => boolean): Promise<void> {
    const base = this.apiBase;
    let probe = this.probes.get(base);
    if (!probe) this.probes.set(base, (probe = probeApi(base)));
    const problem = await probe;
    if (!current()) return;
    if (problem) return void this.failSetup(problem);
    if (!this.sessionToken && this.fetchSessionToken) {
      let token: unknown;
      try {
        token = await this.fetchSessionToken();
      } catch (error) {
        if (current()) void this.failSetup('SESSION_TOKEN_FAILED', error instanceof Error ? error.message : String(error));
        return;
      }
      if (!current()) return;
      if (typeof token !== 'string' || !token) return void this.failSetup('SESSION_TOKEN_MISSING', 'fetchSessionToken');
      this.sessionToken = token;
    }
    if (!this.sessionToken) {
      // The host may still be about to set it (an inline script after the element, a framework's effect).
      if (document.readyState === 'loading') await new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }));
      await new Promise((resolve) => setTimeout(resolve, TOKEN_GRACE_MS));
      if (current() && !this.sessionToken) {
        void this.failSetup('SESSION_TOKEN_MISSING');
      }
      return;
    }
    this.started = true;
    this.error = null;
    // Fetched while the first step shows, so Continue never waits for it.
    loadLaterSteps().catch(() => undefined);
    const saved = this.readSaved();
    if (saved) {
      if (saved.step !== 'address') await loadLaterSteps().catch(() => undefined);
      this.state = saved;
      this.providers = await this.api.providers().catch(() => ({}));
      if (saved.step === 'oauth' && saved.oauthFlowId) this.watchFlow(saved.oauthFlowId);
      return;
    }
    if (this.email && !this.state.email) this.state = { ...this.state, email: this.email };
    void this.loadTask.run([]);
  }

  /**
   * An integration mistake: shown in place of the first step, and logged for the developer. Its
   * sentence comes from widget/probe-failure.ts, fetched only when there is a mistake to name.
   */
  private async failSetup(problem: ApiError | SetupMistake, detail?: string): Promise<void> {
    this.probes.delete(this.apiBase);
    const failure = typeof problem === 'string' ? (await import('./probe-failure.js')).describeSetupMistake(problem, detail) : problem;
    console.error(`<email-config-wizard> ${failure.code}: ${failure.message}`);
    this.fail(failure);
  }

  private readSaved(): WizardState | null {
    try {
      const raw = sessionStorage.getItem(this.storageKey);
      return raw ? restore(JSON.parse(raw)) : null;
    } catch {
      return null;
    }
  }

  private persist(): void {
    // Still loading (e.g. the host sets the session token later): the saved state is not read yet, so keep it.
    if (!this.isConnected || this.state.step === 'loading') return;
    try {
      const kept = snapshot(this.state);
      if (kept) sessionStorage.setItem(this.storageKey, JSON.stringify(kept));
      else sessionStorage.removeItem(this.storageKey);
    } catch {
      // Storage may be unavailable (privacy mode, sandboxed frame): resuming is then simply off.
    }
  }

  private onDetectProgress({ data }: StreamEvent): void {
    const progress = data as Partial<DetectionProgress>;
    if (typeof progress.source !== 'string') return;
    const status: SourceProgress['status'] =
      progress.status === 'start' ? 'running' : progress.status === 'end' && progress.found ? 'found' : progress.status === 'end' && progress.error ? 'error' : 'none';
    this.sources = [...this.sources.filter((entry) => entry.source !== progress.source), { source: progress.source, status }];
    if (status === 'running') this.announce(msg('Looking up your settings…', { id: 'addr.looking' }));
  }



  private fail(error: unknown): void {
    const failure: Failure =
      error instanceof ApiError ? error : { code: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
    if (failure.code === 'ABORTED') return;
    this.error = { code: failure.code, message: failure.message, field: failure.field };
    this.announce(errorText(failure));
    this.emit('ecw-error', { code: failure.code, message: failure.message, step: this.state.step });
  }

  private announce(text: string): void {
    this.announcement = text;
  }

  private emit<K extends keyof EmailConfigWizardEventMap>(type: K, detail: EmailConfigWizardEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.adoptLaterStyles();
    if (changed.has('locale') || !this.hasUpdated) void setWidgetLocale(this.activeLocale);
    if (changed.has('email') && this.state.step === 'loading') this.state = { ...this.state, email: this.email };
  }

  private laterStylesAdopted = false;

  /** Once the later steps' chunk is here, its stylesheet joins `wizardStyles` (before the first later step renders). */
  private adoptLaterStyles(): void {
    const later = laterSteps();
    if (!later || this.laterStylesAdopted || !(this.renderRoot instanceof ShadowRoot)) return;
    this.laterStylesAdopted = true;
    adoptStyles(this.renderRoot, [wizardStyles, later.laterStyles]);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.started && (changed.has('apiBase') || changed.has('sessionToken') || changed.has('fetchSessionToken'))) this.requestStart();
    if (!changed.has('state')) return;
    const previous = (changed.get('state') as WizardState | undefined)?.step ?? 'loading';
    const step = this.state.step;
    if (this.state.mode === 'setup' && step === 'done') sessionStorage.removeItem(this.storageKey);
    else this.persist();
    if (previous === step) return;
    this.emit('ecw-step-change', { step, previousStep: previous, stage: stageOf(step) });
    if (step === 'test') this.runTest();
    if (step === 'done') this.emit('ecw-complete', completionDetail(this.state));
    if (previous !== 'loading' || this.focusAfterLoad) this.moveFocus(step);
    if (step !== 'loading') this.focusAfterLoad = false;
    if (this.confirmingDisconnect) this.confirmingDisconnect = false;
  }

  /**
   * Focus follows the step to where the person goes on: the field a failed test blamed, else the
   * step's first field (or its marked next action); the heading only when there is nothing to do yet.
   */
  private moveFocus(step: Step): void {
    const root = this.renderRoot as ShadowRoot;
    const faulty = this.state.faultField ? root.getElementById(`ecw-${this.state.faultField}`) ?? (this.state.faultField.startsWith('auth.password') ? root.getElementById('ecw-password') : null) : null;
    const next = step === 'overview' || step === 'test' ? null : (root.querySelector<HTMLInputElement>('.step [data-next]') ?? root.querySelector<HTMLInputElement>('.step input:not([type=hidden]), .step select'));
    const target = faulty ?? next ?? root.querySelector<HTMLElement>('h2');
    if (!(target as HTMLInputElement | null)?.disabled) return void target?.focus();
    // Still disabled while the work that led here finishes (Disconnect): the heading now, the field once it is usable.
    root.querySelector<HTMLElement>('h2')?.focus();
    void Promise.all(this.tasks.map((task) => task.taskComplete.catch(() => undefined)))
      .then(() => this.updateComplete)
      .then(() => target?.isConnected && target.focus());
  }

  override render() {
    const step = this.state.step;
    const stage = stageFor(this.state);
    const stageIndex = stage ? STAGES.indexOf(stage) : -1;
    const names = [
      msg('Address', { id: 'stage.address' }),
      msg('Sign in', { id: 'stage.signin' }),
      msg('Test', { id: 'stage.test' }),
      msg('Settings', { id: 'stage.final' }),
      msg('Done', { id: 'done' }),
    ];
    return html`<div class="panel" part="panel" lang=${this.activeLocale}>
      ${stage
        ? html`<nav aria-label=${msg('Progress', { id: 'progress' })}>
            <ol class="steps" part="steps">
              ${names.map(
                (name, index) => html`<li part="step" class=${index < stageIndex ? 'complete' : ''} aria-current=${index === stageIndex ? 'step' : nothing}>
                  <span class="visually-hidden">${index < stageIndex ? msg('Completed:', { id: 'stage.completed' }) : ''}</span>${name}
                </li>`,
              )}
            </ol>
            <p class="stage-now" aria-hidden="true">${stageIndex + 1}/${STAGES.length} · ${names[stageIndex]}</p>
          </nav>`
        : nothing}
      <section class="step">${this.renderStep(step)}</section>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    </div>`;
  }

  private renderStep(step: Step) {
    const later = laterSteps();
    // A later step before its chunk arrived (the tasks wait for it, so only for a moment).
    if (!later && step !== 'loading' && step !== 'address') return html`<p role="status">${spinner()} ${msg('Loading…', { id: 'loading' })}</p>`;
    switch (step) {
      case 'loading':
        return this.error
          ? html`<div class="alert" role="alert" part="error">${/^(API_|ORIGIN_NOT_ALLOWED|SESSION_TOKEN_)/.test(this.error.code)
              ? html`<p>${msg('This page embeds the wizard incorrectly. For its developer:', { id: 'setup.lead' })}</p><strong lang="en">${this.error.message}</strong>`
              : html`<strong>${errorText(this.error, this.activeLocale)}</strong>`}</div>
              <div class="actions"><button part="button" type="button" @click=${() => this.reset()}>${msg('Try again', { id: 'retry' })}</button></div>`
          : html`<p role="status">${spinner()} ${msg('Loading…', { id: 'loading' })}</p>`;
      case 'overview':
        return later!.overviewStep(this);
      case 'address':
        return addressStep(this);
      case 'auth':
        return later!.authStep(this);
      case 'oauth':
        return later!.oauthStep(this);
      case 'manual':
        return later!.manualStep(this);
      case 'test':
        return later!.testStep(this);
      case 'final':
        return later!.finalStep(this);
      case 'done':
        return later!.doneStep(this);
    }
  }
}

if (!customElements.get('email-config-wizard')) customElements.define('email-config-wizard', EmailConfigWizard);

declare global {
  interface HTMLElementTagNameMap {
    'email-config-wizard': EmailConfigWizard;
  }
}

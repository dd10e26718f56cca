import type { DetectionResult, MailServer, OAuthProvider, SettingsInput, SettingsView, TestRequest, TestResult } from './api.js';

/**
 * The wizard as a pure state machine: `transition(state, event)` answers the next state and
 * never touches the DOM or the network, so every path is testable in isolation. The element
 * (`email-config-wizard.ts`) performs the side effects and feeds their outcomes back in.
 */

export type Step = 'loading' | 'overview' | 'address' | 'auth' | 'oauth' | 'manual' | 'test' | 'final' | 'done';

/** The steps of a setup, as the step indicator shows them. */
export const STAGES = ['address', 'signin', 'test', 'final', 'done'] as const;
export type Stage = (typeof STAGES)[number];

/** `setup`: a new mailbox; `edit`: changing a saved one; `retest`: re-checking a saved one. */
export type Mode = 'setup' | 'edit' | 'retest';

export type AuthChoice = { method: 'password' } | { method: 'oauth'; provider: OAuthProvider; connectedEmail?: string };

export interface WizardState {
  step: Step;
  mode: Mode;
  email: string;
  detection: DetectionResult | null;
  auth: AuthChoice | null;
  imap: MailServer | null;
  smtp: MailServer | null;
  /** Secrets live only in memory: `snapshot()` leaves them out. */
  password: string;
  smtpPassword: string;
  sameCredentials: boolean;
  fromName: string;
  checkIntervalSeconds: number;
  deleteAfterProcessing: boolean;
  oauthFlowId: string | null;
  /** The saved configuration the wizard was opened on, if any. */
  existing: SettingsView | null;
  testResult: TestResult | null;
  /** The field the last failed test blamed, e.g. `imap.port`; the manual form focuses it. */
  faultField: string | null;
  /** Set when a reload lost the password the next step needs. */
  passwordLost: boolean;
}

export type WizardEvent =
  | { type: 'loaded'; settings: SettingsView | null }
  | { type: 'detected'; detection: DetectionResult }
  | { type: 'choose-oauth'; provider: OAuthProvider }
  | { type: 'oauth-started'; flowId: string }
  | { type: 'oauth-connected'; email?: string }
  | { type: 'oauth-failed' }
  | { type: 'choose-password'; password: string }
  | { type: 'choose-manual'; email?: string }
  | {
      type: 'submit-manual';
      imap: MailServer;
      smtp: MailServer;
      password: string;
      smtpPassword: string;
      sameCredentials: boolean;
    }
  | { type: 'test-finished'; result: TestResult }
  | { type: 'fix-settings' }
  | { type: 'saved'; fromName: string; checkIntervalSeconds: number; deleteAfterProcessing: boolean }
  | { type: 'save-refused'; field: string }
  | { type: 'back' }
  | { type: 'edit' }
  | { type: 'edit-final' }
  | { type: 'retest' }
  | { type: 'reconnect' }
  | { type: 'disconnected' }
  | { type: 'reset' };

export const CHECK_INTERVALS = [60, 300, 900, 1800, 3600] as const;
const DEFAULT_INTERVAL = 300;

/** The state a fresh wizard starts in, optionally with an address to prefill. */
export function initialState(email = ''): WizardState {
  return {
    step: 'loading',
    mode: 'setup',
    email,
    detection: null,
    auth: null,
    imap: null,
    smtp: null,
    password: '',
    smtpPassword: '',
    sameCredentials: true,
    fromName: '',
    checkIntervalSeconds: DEFAULT_INTERVAL,
    deleteAfterProcessing: false,
    oauthFlowId: null,
    existing: null,
    testResult: null,
    faultField: null,
    passwordLost: false,
  };
}

/** Which stage of the indicator a step belongs to (`null`: no indicator, e.g. the overview). */
export function stageOf(step: Step): Stage | null {
  switch (step) {
    case 'address':
      return 'address';
    case 'auth':
    case 'oauth':
    case 'manual':
      return 'signin';
    case 'test':
      return 'test';
    case 'final':
      return 'final';
    case 'done':
      return 'done';
    default:
      return null;
  }
}

/** Whether OAuth with `provider` can be offered: detection says so and the server has an app. */
export function oauthOffer(detection: DetectionResult | null, configured: Partial<Record<OAuthProvider, { configured: boolean }>>): OAuthProvider | null {
  const provider = detection?.provider?.oauth ?? null;
  return provider && configured[provider]?.configured ? provider : null;
}

/** True when the saved password may be reused (editing a configuration that has one). */
export function hasSavedPassword(state: WizardState): boolean {
  const auth = state.existing?.auth;
  return auth?.method === 'password' && auth.hasPassword;
}

/**
 * The next state after `event`. Events that do not apply to the current step leave the state
 * unchanged (the same object), so a late network answer cannot move a wizard that moved on.
 */
export function transition(state: WizardState, event: WizardEvent): WizardState {
  const at = (...steps: Step[]) => steps.includes(state.step);
  switch (event.type) {
    case 'loaded':
      if (!at('loading')) return state;
      return event.settings ? { ...state, step: 'overview', existing: event.settings } : { ...state, step: 'address', existing: null };
    case 'detected': {
      if (!at('address')) return state;
      const { detection } = event;
      return {
        ...state,
        step: detection.provider?.supported === false ? 'address' : 'auth',
        email: detection.email,
        detection,
        imap: detection.imap ? { ...detection.imap } : state.imap,
        smtp: detection.smtp ? { ...detection.smtp } : state.smtp,
        auth: null,
        faultField: null,
      };
    }
    case 'choose-oauth': {
      if (!at('auth', 'overview', 'test', 'oauth')) return state;
      const base = at('overview') && state.existing ? { ...fromExisting(state, state.existing), mode: 'edit' as const } : state;
      return { ...base, step: 'oauth', auth: { method: 'oauth', provider: event.provider }, oauthFlowId: null, password: '', smtpPassword: '' };
    }
    case 'oauth-started':
      return at('oauth') ? { ...state, oauthFlowId: event.flowId } : state;
    case 'oauth-connected': {
      if (!at('oauth') || state.auth?.method !== 'oauth') return state;
      const auth: AuthChoice = { ...state.auth, connectedEmail: event.email };
      return { ...state, auth, oauthFlowId: null, step: state.imap && state.smtp ? 'test' : 'manual', testResult: null, mode: state.mode === 'retest' ? 'edit' : state.mode };
    }
    case 'oauth-failed':
      return at('oauth') ? { ...state, oauthFlowId: null } : state;
    case 'choose-password':
      if (!at('auth')) return state;
      return {
        ...state,
        auth: { method: 'password' },
        password: event.password,
        passwordLost: false,
        step: state.imap && state.smtp ? 'test' : 'manual',
        testResult: null,
      };
    case 'choose-manual': {
      if (!at('auth', 'address', 'test')) return state;
      const email = event.email ?? state.email;
      return {
        ...state,
        step: 'manual',
        email,
        auth: { method: 'password' },
        imap: state.imap ?? blankServer(email, 993, 'tls'),
        smtp: state.smtp ?? blankServer(email, 587, 'starttls'),
      };
    }
    case 'submit-manual':
      if (!at('manual')) return state;
      return {
        ...state,
        step: 'test',
        imap: event.imap,
        smtp: event.smtp,
        password: event.password,
        smtpPassword: event.sameCredentials ? '' : event.smtpPassword,
        sameCredentials: event.sameCredentials,
        passwordLost: false,
        testResult: null,
        faultField: null,
      };
    case 'test-finished': {
      if (!at('test')) return state;
      if (!event.result.ok) {
        const protocol = event.result.imap?.error ? 'imap' : 'smtp';
        const field = event.result[protocol]?.error?.field;
        return { ...state, testResult: event.result, faultField: field ? qualifyField(protocol, field) : null };
      }
      if (state.mode === 'retest') return { ...state, testResult: event.result };
      return { ...state, step: 'final', testResult: event.result, faultField: null };
    }
    case 'fix-settings':
      if (!at('test')) return state;
      return { ...state, step: 'manual', mode: state.mode === 'retest' ? 'edit' : state.mode };
    case 'saved':
      if (!at('final')) return state;
      return {
        ...state,
        step: 'done',
        fromName: event.fromName,
        checkIntervalSeconds: event.checkIntervalSeconds,
        deleteAfterProcessing: event.deleteAfterProcessing,
      };
    case 'save-refused':
      // The server blamed a server setting or the password: show it where it can be fixed.
      if (!at('final') || !/^(imap|smtp|auth)\./.test(event.field)) return state;
      return { ...state, step: 'manual', faultField: event.field, testResult: null };
    case 'back':
      return back(state);
    case 'edit':
      return at('overview') && state.existing ? { ...fromExisting(state, state.existing), step: 'manual', mode: 'edit' } : state;
    case 'edit-final':
      return at('overview') && state.existing ? { ...fromExisting(state, state.existing), step: 'final', mode: 'edit' } : state;
    case 'retest':
      return at('overview') && state.existing ? { ...fromExisting(state, state.existing), step: 'test', mode: 'retest', testResult: null } : state;
    case 'reconnect': {
      if (!at('overview') || !state.existing) return state;
      const base = { ...fromExisting(state, state.existing), mode: 'edit' as const };
      const auth = state.existing.auth;
      return auth.method === 'oauth'
        ? { ...base, step: 'oauth', auth: { method: 'oauth', provider: auth.provider } }
        : { ...base, step: 'manual', faultField: 'auth.password' };
    }
    case 'disconnected':
      return { ...initialState(), step: 'address' };
    case 'reset':
      return initialState();
  }
}

function back(state: WizardState): WizardState {
  const editing = state.mode !== 'setup' && state.existing;
  switch (state.step) {
    case 'auth':
      return { ...state, step: 'address' };
    case 'oauth':
      return { ...state, step: editing ? 'overview' : 'auth', oauthFlowId: null };
    case 'manual':
      return { ...state, step: editing ? 'overview' : 'auth' };
    case 'test':
      return { ...state, step: state.mode === 'retest' ? 'overview' : state.auth?.method === 'oauth' && !editing ? 'auth' : 'manual', testResult: null };
    case 'final':
      return { ...state, step: state.mode === 'edit' && !state.testResult ? 'overview' : 'manual' };
    default:
      return state;
  }
}

/** A test failure's field as the manual form names it: `port` from SMTP → `smtp.port`, `password` → `auth.password`. */
export function qualifyField(protocol: 'imap' | 'smtp', field: string): string {
  if (field.includes('.')) return field;
  if (field === 'password' || field === 'smtpPassword') return `auth.${protocol === 'smtp' && field === 'password' ? 'password' : field}`;
  return `${protocol}.${field}`;
}

function blankServer(email: string, port: number, security: MailServer['security']): MailServer {
  return { host: '', port, security, username: email };
}

function fromExisting(state: WizardState, existing: SettingsView): WizardState {
  const auth: AuthChoice = existing.auth.method === 'oauth' ? { method: 'oauth', provider: existing.auth.provider } : { method: 'password' };
  return {
    ...state,
    email: existing.email,
    imap: { ...existing.imap },
    smtp: { ...existing.smtp },
    auth,
    password: '',
    smtpPassword: '',
    sameCredentials: existing.auth.method !== 'password' || !existing.auth.hasSmtpPassword,
    fromName: existing.fromName ?? '',
    checkIntervalSeconds: existing.checkIntervalSeconds,
    deleteAfterProcessing: existing.deleteAfterProcessing,
    testResult: null,
    faultField: null,
  };
}

/** The `auth` part of a test or save request; `undefined` means "use what is saved". */
export function authPayload(state: WizardState): SettingsInput['auth'] | undefined {
  if (state.auth?.method === 'oauth') return { method: 'oauth', provider: state.auth.provider };
  if (!state.password) return hasSavedPassword(state) ? undefined : { method: 'password' };
  return { method: 'password', password: state.password, ...(state.smtpPassword ? { smtpPassword: state.smtpPassword } : {}) };
}

/** The body of `POST /test` for the current state. */
export function testRequest(state: WizardState): TestRequest {
  const auth = authPayload(state);
  return {
    ...(state.imap ? { imap: state.imap } : {}),
    ...(state.smtp ? { smtp: state.smtp } : {}),
    ...(auth ? { auth } : {}),
  };
}

/** The body of `PUT /settings` once the final settings are chosen. */
export function settingsInput(state: WizardState, final: { fromName: string; checkIntervalSeconds: number; deleteAfterProcessing: boolean }): SettingsInput {
  if (!state.imap || !state.smtp) throw new Error('settingsInput needs both servers');
  return {
    email: state.email,
    imap: state.imap,
    smtp: state.smtp,
    auth: authPayload(state) ?? { method: 'password' },
    fromName: final.fromName.trim() || null,
    checkIntervalSeconds: final.checkIntervalSeconds,
    deleteAfterProcessing: final.deleteAfterProcessing,
  };
}

/** What `ecw-complete` reports: everything a host may keep, nothing secret. */
export function completionDetail(state: WizardState) {
  return {
    email: state.email,
    provider: state.detection?.provider?.id ?? null,
    authMethod: state.auth?.method ?? 'password',
    oauthProvider: state.auth?.method === 'oauth' ? state.auth.provider : null,
    imap: state.imap,
    smtp: state.smtp,
    fromName: state.fromName || null,
    checkIntervalSeconds: state.checkIntervalSeconds,
    deleteAfterProcessing: state.deleteAfterProcessing,
  };
}

const SECRET_KEYS = ['password', 'smtpPassword'] as const;
const RESUMABLE: Step[] = ['address', 'auth', 'oauth', 'manual', 'test', 'final'];

/** The state to keep in sessionStorage: no secret, nothing transient. `null` when not worth keeping. */
export function snapshot(state: WizardState): Partial<WizardState> | null {
  if (!RESUMABLE.includes(state.step)) return null;
  const copy: Partial<WizardState> = { ...state, testResult: null };
  for (const key of SECRET_KEYS) delete copy[key];
  return copy;
}

/**
 * The state to resume from a snapshot, or `null` when it is unusable. A step that needs the
 * password the reload lost goes back to where the password is asked for.
 */
export function restore(saved: unknown): WizardState | null {
  if (!saved || typeof saved !== 'object') return null;
  const candidate = { ...initialState(), ...(saved as Partial<WizardState>), password: '', smtpPassword: '', testResult: null };
  if (!RESUMABLE.includes(candidate.step) || typeof candidate.email !== 'string') return null;
  const needsPassword = candidate.auth?.method === 'password' && (candidate.step === 'test' || candidate.step === 'final') && !hasSavedPassword(candidate);
  if (needsPassword) return { ...candidate, step: candidate.detection?.imap && candidate.mode === 'setup' ? 'auth' : 'manual', passwordLost: true };
  if (candidate.step === 'test') return { ...candidate, testResult: null };
  return candidate;
}

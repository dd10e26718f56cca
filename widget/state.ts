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

/**
 * How the mailbox is signed in to. For OAuth, `connectedEmail` is the account the provider says
 * signed in; `shared` means the mailbox is a Microsoft 365 shared mailbox opened with that
 * account's token (`account` is then sent with the test and the save).
 */
export type AuthChoice = { method: 'password' } | { method: 'oauth'; provider: OAuthProvider; connectedEmail?: string; shared?: boolean };

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
  /** The first field the last failed test (or save) blamed, e.g. `imap.port`; the form focuses it. */
  faultField: string | null;
  /** Every field blamed and not yet changed by the person (both protocols). */
  faultFields: string[];
  /** The saved password cannot be kept (Reconnect): the password field is required. */
  reenterPassword: boolean;
  /** Set when a reload lost the password the next step needs. */
  passwordLost: boolean;
}

export type WizardEvent =
  | { type: 'loaded'; settings: SettingsView | null }
  | { type: 'detected'; detection: DetectionResult }
  | { type: 'choose-oauth'; provider: OAuthProvider }
  | { type: 'oauth-started'; flowId: string }
  | { type: 'oauth-connected'; email?: string }
  | { type: 'use-signed-in-account' }
  | { type: 'use-shared-mailbox' }
  | { type: 'shared-mailbox'; shared: boolean }
  | { type: 'field-edited'; field: string }
  | { type: 'draft'; imap?: MailServer; smtp?: MailServer; fromName?: string }
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
  /** The server refused a save or test request for `field` (e.g. `400 PASSWORD_REQUIRED`, `smtp.security`). */
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
    faultFields: [],
    reenterPassword: false,
    passwordLost: false,
  };
}

/** The detection with the provider's hints from the stream's `provider` event (rendered by the steps in the widget's language). */
export function withProviderHints(detection: DetectionResult, hints: unknown): DetectionResult {
  if (!detection.provider || !hints || typeof hints !== 'object') return detection;
  return { ...detection, provider: { ...detection.provider, hints } as DetectionResult['provider'] };
}

/** The stage the step indicator shows: only a new setup has one (editing is not a setup). */
export function stageFor(state: WizardState): Stage | null {
  return state.mode === 'setup' ? stageOf(state.step) : null;
}

const sameServer = (a: MailServer | null, b: MailServer | null) =>
  !!a && !!b && a.host.trim().toLowerCase().replace(/\.$/, '') === b.host.trim().toLowerCase().replace(/\.$/, '') && a.port === b.port && a.username === b.username;

/**
 * Whether a saved password may be reused for the form's password field (`password`) or the
 * separate SMTP one: only while the host, port and user name it serves are the saved ones
 * (the server refuses anything else with `PASSWORD_REQUIRED`).
 */
export function keepsSavedPassword(state: WizardState, which: 'password' | 'smtpPassword' = 'password', servers: Pick<WizardState, 'imap' | 'smtp'> = state): boolean {
  if (!hasSavedPassword(state) || state.reenterPassword) return false;
  const existing = state.existing!;
  const separate = existing.auth.method === 'password' && existing.auth.hasSmtpPassword;
  const smtpSame = sameServer(servers.smtp, existing.smtp);
  if (which === 'smtpPassword') return separate && smtpSame;
  return sameServer(servers.imap, existing.imap) && (separate || smtpSame);
}

/** The mailbox user name and the signed-in account differ (an OAuth sign-in with another account). */
export function accountMismatch(state: WizardState): string | null {
  if (state.auth?.method !== 'oauth' || !state.auth.connectedEmail || state.auth.shared) return null;
  const mailbox = (state.imap?.username || state.email).toLowerCase();
  return state.auth.connectedEmail.toLowerCase() === mailbox ? null : state.auth.connectedEmail;
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
      // From the address step, or from "did you mean …?" on the sign-in step.
      if (!at('address', 'auth')) return state;
      const { detection } = event;
      // A new address starts clean: nothing of the previous address (servers, user names, secrets) carries over.
      return {
        ...state,
        step: detection.provider?.supported === false ? 'address' : 'auth',
        email: detection.email,
        detection,
        imap: detection.imap ? { ...detection.imap } : null,
        smtp: detection.smtp ? { ...detection.smtp } : null,
        auth: null,
        password: '',
        smtpPassword: '',
        sameCredentials: true,
        testResult: null,
        oauthFlowId: null,
        faultField: null,
        faultFields: [],
        passwordLost: false,
      };
    }
    case 'choose-oauth': {
      if (!at('auth', 'overview', 'test', 'oauth')) return state;
      const base = at('overview') && state.existing ? { ...fromExisting(state, state.existing), mode: 'edit' as const } : state;
      const shared = state.auth?.method === 'oauth' && state.auth.provider === event.provider && state.auth.shared;
      return { ...base, step: 'oauth', auth: { method: 'oauth', provider: event.provider, ...(shared ? { shared } : {}) }, oauthFlowId: null, password: '', smtpPassword: '' };
    }
    case 'oauth-started':
      return at('oauth') ? { ...state, oauthFlowId: event.flowId } : state;
    case 'oauth-connected': {
      if (!at('oauth') || state.auth?.method !== 'oauth') return state;
      const auth: AuthChoice = { ...state.auth, connectedEmail: event.email };
      const next: WizardState = { ...state, auth, oauthFlowId: null, testResult: null, faultField: null, faultFields: [], mode: state.mode === 'retest' ? 'edit' : state.mode };
      // Signed in as someone else than the mailbox: stay and ask (use it as a shared mailbox, another account, or that one).
      if (accountMismatch(next)) return next;
      return { ...next, step: state.imap && state.smtp ? 'test' : 'manual' };
    }
    case 'use-signed-in-account': {
      const account = accountMismatch(state);
      if (!at('oauth') || !account || state.auth?.method !== 'oauth') return state;
      const user = (server: MailServer | null) => (server ? { ...server, username: account } : null);
      return { ...state, email: account, imap: user(state.imap), smtp: user(state.smtp), step: state.imap && state.smtp ? 'test' : 'manual' };
    }
    case 'use-shared-mailbox':
      if (!at('oauth') || !accountMismatch(state) || state.auth?.method !== 'oauth' || state.auth.provider !== 'microsoft') return state;
      return { ...state, auth: { ...state.auth, shared: true }, step: state.imap && state.smtp ? 'test' : 'manual' };
    case 'shared-mailbox':
      if (!at('auth', 'oauth')) return state;
      return { ...state, auth: event.shared ? { method: 'oauth', provider: 'microsoft', shared: true } : null };
    case 'field-edited':
      if (!state.faultFields.includes(event.field) && state.faultField !== event.field) return state;
      return { ...state, faultFields: state.faultFields.filter((field) => field !== event.field), faultField: state.faultField === event.field ? null : state.faultField };
    case 'draft':
      if (!at('manual', 'final')) return state;
      return {
        ...state,
        ...(event.imap ? { imap: event.imap } : {}),
        ...(event.smtp ? { smtp: event.smtp } : {}),
        ...(event.fromName !== undefined ? { fromName: event.fromName } : {}),
      };
    case 'oauth-failed':
      return at('oauth') ? { ...state, oauthFlowId: null } : state;
    case 'choose-password':
      if (!at('auth', 'final')) return state;
      if (at('final')) return { ...state, password: event.password, passwordLost: false };
      return {
        ...state,
        auth: { method: 'password' },
        password: event.password,
        passwordLost: false,
        faultField: null,
        faultFields: [],
        step: state.imap && state.smtp ? 'test' : 'manual',
        testResult: null,
      };
    case 'choose-manual': {
      if (!at('auth', 'address', 'test')) return state;
      const email = event.email ?? state.email;
      // Servers found for this very address are kept; another address starts from empty fields.
      const own = state.detection?.email.toLowerCase() === email.toLowerCase();
      return {
        ...state,
        step: 'manual',
        email,
        auth: { method: 'password' },
        imap: own && state.imap ? state.imap : blankServer(email, 993, 'tls'),
        smtp: own && state.smtp ? state.smtp : blankServer(email, 587, 'starttls'),
        ...(own ? {} : { detection: null, password: '', smtpPassword: '', testResult: null, faultField: null, faultFields: [] }),
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
        faultFields: [],
      };
    case 'test-finished': {
      if (!at('test')) return state;
      if (!event.result.ok) {
        const faultFields = blamedFields(event.result);
        // A refused password is never kept to be appended to: the field comes back empty.
        const refused = faultFields.some((field) => field.startsWith('auth.password'));
        return {
          ...state,
          testResult: event.result,
          faultField: faultFields[0] ?? null,
          faultFields,
          ...(refused ? { password: '', smtpPassword: faultFields.includes('auth.smtpPassword') ? '' : state.smtpPassword } : {}),
        };
      }
      if (state.mode === 'retest') return { ...state, testResult: event.result };
      return { ...state, step: 'final', testResult: event.result, faultField: null, faultFields: [] };
    }
    case 'fix-settings': {
      if (!at('test')) return state;
      // Only the password was wrong on detected settings: back to the password, not the whole server form.
      const onlyPassword = state.faultFields.length > 0 && state.faultFields.every((field) => field === 'auth.password');
      if (onlyPassword && state.mode === 'setup' && state.auth?.method === 'password' && state.detection?.imap && sameServer(state.imap, state.detection.imap)) {
        return { ...state, step: 'auth' };
      }
      return { ...state, step: 'manual', mode: state.mode === 'retest' ? 'edit' : state.mode };
    }
    case 'saved':
      if (!at('final')) return state;
      return {
        ...state,
        step: 'done',
        fromName: event.fromName,
        checkIntervalSeconds: event.checkIntervalSeconds,
        deleteAfterProcessing: event.deleteAfterProcessing,
      };
    case 'save-refused': {
      // The server refused a save or a test for a server setting or the password: show it where it can be fixed.
      if (!at('final', 'test') || !/^(imap|smtp|auth)\./.test(event.field)) return state;
      const fault = { faultField: event.field, faultFields: [event.field], testResult: null };
      // A password the final step itself asks for (after a reload) is fixed right there.
      if (at('final') && event.field.startsWith('auth.password') && state.passwordLost) return { ...state, ...fault, password: '' };
      if (event.field.startsWith('auth.password') || event.field.startsWith('auth.smtpPassword')) return { ...state, ...fault, step: 'manual', password: '', smtpPassword: '' };
      return { ...state, ...fault, step: 'manual' };
    }
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
      // A password reconnect asks for the new password (required), without marking anything as wrong yet.
      return auth.method === 'oauth'
        ? { ...base, step: 'oauth', auth: { method: 'oauth', provider: auth.provider } }
        : { ...base, step: 'manual', reenterPassword: true };
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
      return { ...state, step: 'address', password: '', passwordLost: false };
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

/** Every field a failed test blamed, IMAP's first, each once. */
export function blamedFields(result: TestResult): string[] {
  const fields: string[] = [];
  for (const protocol of ['imap', 'smtp'] as const) {
    const field = result[protocol]?.error?.field;
    // `auth` (an OAuth account that cannot open the mailbox) is no form field.
    if (field && field !== 'auth') fields.push(qualifyField(protocol, field));
  }
  return [...new Set(fields)];
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
    faultFields: [],
    reenterPassword: false,
  };
}

/** The `auth` part of a test or save request; `undefined` means "use what is saved". */
export function authPayload(state: WizardState): SettingsInput['auth'] | undefined {
  if (state.auth?.method === 'oauth') {
    const account = state.auth.shared ? state.auth.connectedEmail : undefined;
    return { method: 'oauth', provider: state.auth.provider, ...(account ? { account } : {}) } as SettingsInput['auth'];
  }
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
  const needsPassword = candidate.auth?.method === 'password' && (candidate.step === 'test' || candidate.step === 'final') && !keepsSavedPassword(candidate);
  // On the final step the test already passed: ask for the password right there, keeping what was typed.
  if (needsPassword && candidate.step === 'final') return { ...candidate, passwordLost: true };
  if (needsPassword) return { ...candidate, step: candidate.detection?.imap && candidate.mode === 'setup' ? 'auth' : 'manual', passwordLost: true };
  if (candidate.step === 'test') return { ...candidate, testResult: null };
  return candidate;
}

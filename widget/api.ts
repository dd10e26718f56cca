import type { DetectionResult, OAuthFlowStatus, OAuthProvider, OAuthProviders, OAuthStarted, SettingsInput, SettingsView, TestError, TestResult } from '../server/contract/index.js';

/**
 * The widget's typed client for the server's session-token routes (DESIGN.md "HTTP API").
 * Every payload type comes from the server's contract (`server/contract/`, `import type`: nothing
 * of zod reaches the bundle), so the widget and the server cannot drift apart.
 */

export type { DetectionResult, OAuthFlowStatus, OAuthProvider, SettingsInput, SettingsView, TestResult };
export type { DetectionAlternative, DetectionProgress, MailServer, ProtocolResult, TestPhase } from '../server/contract/index.js';
/** A failed protocol check: code, sentence, the field to fix and the steps to take. */
export type TestFailure = TestError;
export type OAuthStart = OAuthStarted;
export type ProvidersStatus = OAuthProviders;

export type TestRequest = Partial<Pick<SettingsInput, 'imap' | 'smtp' | 'auth'>> & { email?: string };

/** A progress event from a streamed answer: its SSE event name and parsed data. */
export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** A failed call, as a value: the server's code and sentence, the HTTP status (0 = no answer). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** Base URL of the widget routes, e.g. `/api/email-settings` or `https://mail.example/api/email-settings`. */
  base: string;
  /** The current session token. */
  token: () => string;
  /** Called once on `401 SESSION_EXPIRED`; answers a new token, or nothing to give up. */
  renewToken?: () => Promise<string | null | undefined>;
  /** The widget's language, sent as `Accept-Language`. */
  locale?: () => string;
  /** Milliseconds before a plain call gives up; streamed calls get four times as long. */
  timeoutMs?: number;
}

interface CallOptions {
  body?: unknown;
  signal?: AbortSignal;
  onEvent?: (event: StreamEvent) => void;
}

const DEFAULTS = { timeoutMs: 20_000 };

/**
 * Creates the client the wizard talks through.
 *
 * @example
 * const api = createApiClient({ base: '/api/email-settings', token: () => token });
 * const detection = await api.detect('support@example.com', { onEvent: console.log });
 */
export function createApiClient(options: ApiClientOptions) {
  const { base, token, renewToken, locale, timeoutMs } = { ...DEFAULTS, ...options };
  const root = base.replace(/\/+$/, '');

  async function send(method: string, path: string, call: CallOptions, bearer: string): Promise<Response> {
    const streamed = call.onEvent !== undefined;
    const timeout = AbortSignal.timeout(streamed ? timeoutMs * 4 : timeoutMs);
    const headers: Record<string, string> = {
      Accept: streamed ? 'text/event-stream, application/json' : 'application/json',
      Authorization: `Bearer ${bearer}`,
    };
    const language = locale?.();
    if (language) headers['Accept-Language'] = language;
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(`${root}${path}`, {
        method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: call.signal ? AbortSignal.any([call.signal, timeout]) : timeout,
        credentials: 'omit',
      });
    } catch (error) {
      throw networkError(error, call.signal);
    }
  }

  async function call<T>(method: string, path: string, callOptions: CallOptions = {}): Promise<T> {
    let response = await send(method, path, callOptions, token());
    if (response.status === 401 && renewToken) {
      const failure = await readError(response);
      if (failure.code !== 'SESSION_EXPIRED') throw failure;
      const renewed = await renewToken().catch(() => null);
      if (!renewed) throw failure;
      response = await send(method, path, callOptions, renewed);
    }
    if (!response.ok) throw await readError(response);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    if (callOptions.onEvent && type.includes('text/event-stream') && response.body) {
      return readStream<T>(response.body, callOptions.onEvent, callOptions.signal);
    }
    return (await response.json().catch(() => {
      throw new ApiError(response.status, 'BAD_RESPONSE', 'The server sent an answer the widget cannot read.');
    })) as T;
  }

  return {
    /** Detects the settings of an address; `onEvent` receives each source's progress. */
    detect: (email: string, opts: Omit<CallOptions, 'body'> = {}) =>
      call<DetectionResult>('POST', '/detect', { ...opts, body: { email } }),
    /** Which OAuth providers the server has an app for. */
    providers: () => call<ProvidersStatus>('GET', '/oauth/providers'),
    /** Starts an OAuth flow; open `authorizationUrl`, then watch `flowId`. `returnUrl` selects redirect mode. */
    startOAuth: (provider: OAuthProvider, options: { email?: string; returnUrl?: string } = {}) =>
      call<OAuthStart>('POST', `/oauth/${provider}`, { body: options }),
    /** The outcome of an OAuth flow, however the popup ended. */
    flowStatus: (flowId: string, signal?: AbortSignal) =>
      call<OAuthFlowStatus>('GET', `/oauth/flows/${encodeURIComponent(flowId)}`, { signal }),
    /** Runs the IMAP and SMTP checks; `onEvent` receives each phase as it finishes. */
    test: (body: TestRequest, opts: Omit<CallOptions, 'body'> = {}) => call<TestResult>('POST', '/test', { ...opts, body }),
    /** The saved settings, or `null` when nothing is saved yet. */
    getSettings: async (): Promise<SettingsView | null> => {
      try {
        // `optional`: nothing saved is 204, not a 404 the browser's console reports as an error (an older server still says 404).
        return (await call<SettingsView | undefined>('GET', '/settings?optional=true')) ?? null;
      } catch (error) {
        if (error instanceof ApiError && (error.code === 'NOT_CONFIGURED' || error.status === 404)) return null;
        throw error;
      }
    },
    /** Saves the settings (secrets travel to the server only). */
    saveSettings: (input: SettingsInput) => call<SettingsView>('PUT', '/settings', { body: input }),
    /** Forgets the saved settings and secrets. */
    deleteSettings: () => call<void>('DELETE', '/settings'),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * The account a session token names, read without verifying it (the server verifies): used only to
 * keep one account's resumable flow away from another's. `''` when the token is not readable.
 *
 * @example accountOfToken('ecw1.eyJhY2MiOiJhY21lIn0.sig') // 'acme'
 */
export function accountOfToken(token: string): string {
  try {
    const body = token.split('.')[1] ?? '';
    const json = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
    const account = (JSON.parse(json) as { acc?: unknown }).acc;
    return typeof account === 'string' ? account : '';
  } catch {
    return '';
  }
}

async function readError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; field?: string } } | null;
  const error = body?.error;
  return new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? `The server answered with status ${response.status}.`,
    error?.field,
  );
}

function networkError(error: unknown, signal?: AbortSignal): ApiError {
  if (signal?.aborted) return new ApiError(0, 'ABORTED', 'The request was cancelled.');
  if ((error as Error)?.name === 'TimeoutError') return new ApiError(0, 'TIMEOUT', 'The server took too long to answer.');
  return new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached.');
}

/**
 * Reads a server-sent event stream from `fetch` (never `EventSource`: it cannot send the
 * Authorization header). Every event goes to `onEvent`; the one named `result` (or `done`) is
 * the answer, one named `error` carries the error envelope.
 */
export async function readStream<T>(body: ReadableStream<Uint8Array>, onEvent: (event: StreamEvent) => void, signal?: AbortSignal): Promise<T> {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  let result: T | undefined;
  let found = false;
  const handle = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(data.join('\n')) as Record<string, unknown>;
    } catch {
      return;
    }
    if (event === 'error') {
      const error = (parsed.error ?? parsed) as { code?: string; message?: string; field?: string };
      throw new ApiError(200, error.code ?? 'UNKNOWN', error.message ?? 'The server reported an error.', error.field);
    }
    if (event === 'result' || event === 'done') {
      result = parsed as T;
      found = true;
    } else onEvent({ event, data: parsed });
  };
  try {
    for (;;) {
      if (signal?.aborted) throw new ApiError(0, 'ABORTED', 'The request was cancelled.');
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: RegExpMatchArray | null;
      while ((end = buffer.match(/\r?\n\r?\n/)) && end.index !== undefined) {
        handle(buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end[0].length);
      }
    }
    if (buffer.trim()) handle(buffer);
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof ApiError) throw error;
    throw networkError(error, signal);
  }
  if (!found) throw new ApiError(0, 'STREAM_ENDED', 'The server stopped answering before the result arrived.');
  return result as T;
}

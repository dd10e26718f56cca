/**
 * A stand-in for the server in widget tests: replaces `globalThis.fetch`, answers by
 * `METHOD /path` (relative to the API base) and records every call.
 */

export interface RecordedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

export type MockAnswer =
  | { status?: number; json?: unknown }
  | { sse: Array<{ event: string; data: unknown }>; /** Events from this index on wait for `resume`. */ holdFrom?: number; resume?: Promise<void> }
  | ((call: RecordedCall) => MockAnswer | Promise<MockAnswer>);

export interface MockApi {
  calls: RecordedCall[];
  /** Sets (or replaces) the answer to `METHOD /path`. A list answers in turn, its last entry repeating. */
  on(route: string, answer: MockAnswer | MockAnswer[]): MockApi;
  /** The calls made to `METHOD /path`. */
  callsTo(route: string): RecordedCall[];
  restore(): void;
}

/** The error envelope the server answers with. */
export const apiError = (status: number, code: string, message: string, field?: string): MockAnswer => ({
  status,
  json: { error: { code, message, ...(field ? { field } : {}) } },
});

/**
 * Installs the mock. Routes not set answer `404 NOT_FOUND`; `GET /health` answers healthy.
 *
 * @example
 * const api = mockApi('/api').on('GET /settings', apiError(404, 'NOT_CONFIGURED', 'Nothing saved.'));
 */
export function mockApi(base = '/api'): MockApi {
  const original = globalThis.fetch;
  // The widget probes GET /health before its first step (widget/probe.ts); a test may override it.
  const routes = new Map<string, MockAnswer[]>([['GET /health', [{ json: { status: 'ok', database: 'ok', version: 'test' } }]]]);
  const calls: RecordedCall[] = [];
  const answer = async (found: MockAnswer, call: RecordedCall): Promise<Response> => {
    if (typeof found === 'function') return answer(await found(call), call);
    if ('sse' in found) {
      const encode = (events: typeof found.sse) => new TextEncoder().encode(events.map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(''));
      if (found.holdFrom !== undefined) {
        // The first events now, the rest once `resume` settles: a stream that is still open.
        const { holdFrom, resume } = found;
        const stream = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(encode(found.sse.slice(0, holdFrom)));
            await resume;
            controller.enqueue(encode(found.sse.slice(holdFrom)));
            controller.close();
          },
        });
        return new Response(stream, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
      }
      const bytes = encode(found.sse);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          // Two chunks split mid-event: the reader must reassemble them.
          const middle = Math.floor(bytes.length / 2);
          controller.enqueue(bytes.slice(0, middle));
          controller.enqueue(bytes.slice(middle));
          controller.close();
        },
      });
      return new Response(stream, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    }
    const status = found.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(found.json ?? {}), { status, headers: { 'Content-Type': 'application/json' } });
  };
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), window.location.href);
    const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : url.pathname;
    const method = (init?.method ?? 'GET').toUpperCase();
    const call: RecordedCall = { method, path, query: url.searchParams, headers: new Headers(init?.headers), body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const queue = routes.get(`${method} ${path}`);
    if (!queue) return answer({ status: 404, json: { error: { code: 'NOT_FOUND', message: `No mock for ${method} ${path}.` } } }, call);
    const next = queue.length > 1 ? queue.shift()! : queue[0]!;
    return answer(next, call);
  };
  // The element checks `GET /health` before its first step (see probe.ts): answered unless a test says otherwise.
  routes.set('GET /health', [{ json: { status: 'ok' } }]);
  const api: MockApi = {
    calls,
    on(route, value) {
      routes.set(route, Array.isArray(value) ? [...value] : [value]);
      return api;
    },
    callsTo: (route) => calls.filter((call) => `${call.method} ${call.path}` === route),
    restore: () => {
      globalThis.fetch = original;
    },
  };
  return api;
}

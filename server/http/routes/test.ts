import { createRoute } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { ApiApp, Services } from '../context.js';
import { requireSession } from '../auth.js';
import { AppError, isAppError } from '../../contract/errors.js';
import { errorBodyOf } from '../error-status.js';
import { commonErrors, errorResponse, jsonBody } from './shared.js';
import { TestInputSchema, TestResultSchema } from '../../contract/test-result.js';

/** What a person reads while a phase runs (the widget localises by `name`; this is the fallback). */
function phaseStartLabel(name: string): string {
  return name === 'greeting' ? "Waiting for the server's greeting…" : `${name}…`;
}

/**
 * `POST /test` → `{ok, imap?, smtp?}`: real IMAP and SMTP connection tests, run in parallel.
 * With `Accept: text/event-stream` the answer is a server-sent event stream: `phase` events
 * (`{protocol, name, ok, ms}`) as each phase finishes, `progress` events
 * (`{protocol, name, running: true, label}`) as each starts, a `protocol` event when one protocol's
 * check is over, then one `result` event.
 */
export function registerTestRoutes(api: ApiApp, services: Services): void {
  api.use('/test', requireSession(services));

  api.openapi(
    createRoute({
      method: 'post',
      path: '/test',
      summary: 'Test the IMAP and SMTP settings against the real servers',
      description:
        'Phases: resolve → connect → tls → greeting → starttls → authenticate → inbox (IMAP) / send (SMTP, only with `sendTestTo`). ' +
        'Leave out `imap` or `smtp` to test only the other; leave out `auth` (or the password) to use what is saved. ' +
        'Send `Accept: text/event-stream` for `phase` events, then `result`.',
      security: [{ session: [] }],
      request: jsonBody(TestInputSchema),
      responses: {
        200: {
          content: { 'application/json': { schema: TestResultSchema }, 'text/event-stream': { schema: { type: 'string' } } },
          description: 'Per-protocol results (a failed connection is `ok: false` here, not an HTTP error)',
        },
        ...commonErrors,
        404: errorResponse('Nothing saved to test'),
        409: errorResponse('OAuth not connected'),
        429: errorResponse('Too many tests in a short time'),
      },
    }),
    async (c) => {
      const session = c.get('session');
      const prepared = await services.mailTests.prepare(c.req.valid('json'), {
        accountId: session.accountId,
        sessionId: session.sessionId,
        requestId: c.get('requestId'),
      });
      const streamed = (c.req.header('accept') ?? '').includes('text/event-stream');
      if (!streamed) return c.json(await services.mailTests.run(prepared), 200);
      return streamSSE(c, async (stream) => {
        try {
          const answer = await services.mailTests.run(
            prepared,
            (protocol, phase) => {
              void stream.writeSSE({ event: 'phase', data: JSON.stringify({ protocol, ...phase }) });
            },
            {
              // A phase that may take long (the greeting) is shown while it lasts, not only when it ends.
              onPhaseStart: (protocol, name) => {
                void stream.writeSSE({ event: 'progress', data: JSON.stringify({ protocol, name, running: true, label: phaseStartLabel(name) }) });
              },
              onProtocol: (protocol, result) => {
                void stream.writeSSE({ event: 'protocol', data: JSON.stringify({ protocol, ...result }) });
              },
            },
          );
          await stream.writeSSE({ event: 'result', data: JSON.stringify(answer) });
        } catch (error) {
          c.get('logger').error('connection test failed', { error });
          const failure = isAppError(error) ? error : new AppError('TEST_FAILED', 'The connection test failed unexpectedly; try again.');
          await stream.writeSSE({ event: 'error', data: JSON.stringify(errorBodyOf(failure)) });
        }
      }) as never;
    },
  );
}

import { createRoute } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { ApiApp, Services } from '../context.js';
import { requireSession } from '../auth.js';
import { AppError, isAppError } from '../../contract/errors.js';
import { errorBodyOf } from '../error-status.js';
import { commonErrors, errorResponse, jsonBody, jsonResponse } from './shared.js';
import { InvalidEmailError, type DetectionResult } from '../../detect/index.js';
import { providerById } from '../../detect/providers/index.js';
import { DetectRequestSchema, DetectionResultSchema } from '../../contract/detection.js';

/** Remote detections (not answered from the built-in database or cache) per account per minute. */
const REMOTE_DETECTIONS_PER_MINUTE = 30;

/**
 * `POST /detect` `{email}` → the detection result. With `Accept: text/event-stream` the answer
 * is a server-sent event stream: `source` events (`{source, status: "start" | "end", found?, ms?,
 * error?}`) as each source runs, a `provider` event (`{id, hints}`: app password, IMAP to switch
 * on, OAuth only, help URL) when the provider has hints, then one `result` event with the result.
 */
export function registerDetectRoutes(api: ApiApp, services: Services): void {
  api.use('/detect', requireSession(services));

  api.openapi(
    createRoute({
      method: 'post',
      path: '/detect',
      summary: 'Detect the IMAP/SMTP settings and OAuth provider of an email address',
      description:
        'Known providers answer at once; otherwise MX, autoconfig, SRV, an optional ISPDB and guessing run in parallel under one deadline. ' +
        'Send `Accept: text/event-stream` for progress events (`source`, then `result`).',
      security: [{ session: [] }],
      request: jsonBody(DetectRequestSchema),
      responses: {
        200: {
          content: { 'application/json': { schema: DetectionResultSchema }, 'text/event-stream': { schema: { type: 'string' } } },
          description: 'The detected settings (or a stream of progress events ending with them)',
        },
        ...commonErrors,
        429: errorResponse('Too many detections in a short time'),
      },
    }),
    async (c) => {
      const { email } = c.req.valid('json');
      const { accountId } = c.get('session');
      let ready: DetectionResult | undefined;
      try {
        ready = services.detector.peek(email as string);
      } catch (error) {
        throw asAppError(error);
      }
      if (!ready) {
        const limit = await services.rateLimits.hit(`detect:${accountId}`, REMOTE_DETECTIONS_PER_MINUTE, 60_000);
        if (!limit.allowed) {
          throw new AppError('RATE_LIMITED', `Too many detections; try again in ${Math.ceil(limit.retryAfterMs / 1000)} seconds.`);
        }
      }
      const streamed = (c.req.header('accept') ?? '').includes('text/event-stream');
      if (!streamed) {
        const result = ready ?? (await services.detector.detect(email as string));
        return c.json(result, 200);
      }
      return streamSSE(c, async (stream) => {
        try {
          const result =
            ready ??
            (await services.detector.detect(email as string, {
              onProgress: (event) => void stream.writeSSE({ event: 'source', data: JSON.stringify(event) }),
            }));
          // The provider's hints as facts (app password, IMAP to switch on, OAuth only, help page), so the
          // widget says what the English `notes` say in its own language. A stream event: the result's shape stays the contract's.
          const hints = result.provider ? providerById(result.provider.id)?.hints : undefined;
          if (hints && Object.keys(hints).length) await stream.writeSSE({ event: 'provider', data: JSON.stringify({ id: result.provider!.id, hints }) });
          await stream.writeSSE({ event: 'result', data: JSON.stringify(result) });
        } catch (error) {
          const failure = asAppError(error);
          if (!(error instanceof InvalidEmailError)) c.get('logger').error('detection failed', { error });
          await stream.writeSSE({ event: 'error', data: JSON.stringify(errorBodyOf(failure)) });
        }
      }) as never;
    },
  );
}

function asAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof InvalidEmailError) return new AppError('INVALID_EMAIL', error.message, { field: 'email' });
  return new AppError('DETECTION_FAILED', 'Detection failed unexpectedly; enter the settings by hand.');
}

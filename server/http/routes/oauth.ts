import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ApiApp, AppEnv, Services } from '../context.js';
import { requireSession } from '../auth.js';
import { OAuthFlowStatusSchema, OAuthProvidersSchema, OAuthStartInputSchema, OAuthStartedSchema } from '../../contract/oauth.js';
import { renderCallbackPage, type CallbackParams, type OAuthResultMessage } from '../../oauth/index.js';
import { PROVIDER_IDS } from '../../oauth/providers.js';
import type { OAuthProviderId } from '../../store/database.js';
import { commonErrors, errorResponse, jsonBody, jsonResponse } from './shared.js';
import { AppError } from '../../contract/errors.js';
import { statusForCode } from '../error-status.js';
import { createOriginCheck } from '../../auth/origins.js';
import { browserSecretFor, clearBindingCookie, isRelayed, registerOAuthLaunch, relayFormPost } from './oauth-browser.js';

/** Sign-ins one account may start per window: generous for people, a wall for scripts filling the flow table. */
const START_LIMIT = 30;
const START_WINDOW_MS = 10 * 60_000;
/** Flow-status streams (`GET /oauth/flows/:id`, SSE) one session may hold open at once. */
export const WATCHERS_PER_SESSION = 3;

const FlowParams = z.object({
  flowId: z
    .string()
    .max(64)
    .openapi({ param: { name: 'flowId', in: 'path' } }),
});

/**
 * OAuth routes: start a sign-in (session), poll its outcome (session), the provider callbacks
 * (the browser, no session: the state names the flow) and which providers are configured.
 */
export function registerOAuthRoutes(api: ApiApp, services: Services): void {
  const security = [{ session: [] }];
  const isAllowedOrigin = createOriginCheck(services.config);
  /** Open flow-status streams per session, on this instance. */
  const watching = new Map<string, number>();
  api.use('/oauth/providers', requireSession(services));
  api.use('/oauth/flows/*', requireSession(services));

  api.openapi(
    createRoute({
      method: 'get',
      path: '/oauth/providers',
      summary: 'Which OAuth providers this server offers',
      security,
      responses: { 200: jsonResponse(OAuthProvidersSchema, 'Configured providers'), ...commonErrors },
    }),
    (c) => c.json(services.oauth.service.providers(), 200),
  );

  for (const provider of PROVIDER_IDS) {
    api.use(`/oauth/${provider}`, requireSession(services));
    api.openapi(
      createRoute({
        method: 'post',
        path: `/oauth/${provider}`,
        summary: `Start signing in with ${provider === 'google' ? 'Google' : 'Microsoft'}: returns the URL to open`,
        security,
        request: jsonBody(OAuthStartInputSchema),
        responses: { 200: jsonResponse(OAuthStartedSchema, 'Open authorizationUrl; poll the flow'), ...commonErrors },
      }),
      async (c) => {
        const session = c.get('session');
        const limit = await services.rateLimits.hit(`oauth-start:${session.accountId}`, START_LIMIT, START_WINDOW_MS);
        if (!limit.allowed) {
          c.header('Retry-After', String(Math.ceil(limit.retryAfterMs / 1000)));
          throw new AppError('RATE_LIMITED', 'Too many sign-in attempts for this account; wait a few minutes and try again.');
        }
        const started = await services.oauth.service.start(provider, session, c.req.valid('json'));
        c.header('Cache-Control', 'no-store');
        return c.json(started, 200);
      },
    );
    registerOAuthLaunch(api, services, provider);
    api.on(['GET', 'POST'], `/oauth/${provider}/callback`, (c) => handleCallback(c, services, provider, isAllowedOrigin));
    for (const method of ['get', 'post'] as const) {
      api.openAPIRegistry.registerPath({
        method,
        path: `/oauth/${provider}/callback`,
        summary: `${provider === 'google' ? 'Google' : 'Microsoft'} sends the browser back here (${method === 'post' ? 'form_post' : 'query'})`,
        responses: {
          200: { description: 'Connected: an HTML page that tells the widget and closes' },
          400: { description: 'Refused: an HTML page that says what went wrong (any 4xx)' },
        },
      });
    }
  }

  api.openapi(
    createRoute({
      method: 'get',
      path: '/oauth/flows/{flowId}',
      summary: "A sign-in's outcome: pending, connected or failed",
      description: 'With `Accept: text/event-stream`: a `status` event now and at every change, until connected or failed.',
      security,
      request: { params: FlowParams },
      responses: {
        200: {
          content: { 'application/json': { schema: OAuthFlowStatusSchema }, 'text/event-stream': { schema: { type: 'string' } } },
          description: 'The flow status',
        },
        ...commonErrors,
        404: errorResponse('No such flow for this account'),
      },
    }),
    async (c) => {
      const { flowId } = c.req.valid('param');
      const { accountId, sessionId } = c.get('session');
      const status = await services.oauth.service.flowStatus(flowId, accountId);
      if (!status) throw new AppError('FLOW_NOT_FOUND', 'There is no sign-in with this id for this account.');
      c.header('Cache-Control', 'no-store');
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return c.json(status, 200);
      // Each stream polls the database until the flow ends: a session holds only a few at once.
      const open = watching.get(sessionId) ?? 0;
      if (open >= WATCHERS_PER_SESSION) {
        c.header('Retry-After', '5');
        throw new AppError(
          'RATE_LIMITED',
          `At most ${WATCHERS_PER_SESSION} sign-in status streams can be open at once; close one, or ask GET /oauth/flows/{flowId} without a stream.`,
        );
      }
      watching.set(sessionId, open + 1);
      return streamSSE(c, async (stream) => {
        const stop = new AbortController();
        stream.onAbort(() => stop.abort());
        try {
          for await (const next of services.oauth.service.watchFlow(flowId, accountId, { signal: stop.signal })) {
            await stream.writeSSE({ event: 'status', data: JSON.stringify(next) });
          }
        } finally {
          const left = (watching.get(sessionId) ?? 1) - 1;
          if (left > 0) watching.set(sessionId, left);
          else watching.delete(sessionId);
        }
      }) as never;
    },
  );
}

async function handleCallback(
  c: Context<AppEnv>,
  services: Services,
  provider: OAuthProviderId,
  isAllowedOrigin: (origin: string) => boolean,
): Promise<Response> {
  const params = c.req.method === 'POST' ? await formParams(c) : pick(new URL(c.req.url).searchParams);
  const relay = await relayFormPost(c, params);
  if (relay) return relay;
  const outcome = await services.oauth.service.complete(provider, params, c.get('logger'), browserSecretFor(c, params.state));
  // The cookie has done its work, unless another browser's request cannot have been its owner's.
  if (outcome.ok || outcome.code !== 'OAUTH_BROWSER_MISMATCH') clearBindingCookie(c, services, provider, params.state);
  const flow = outcome.flow;
  const message: OAuthResultMessage = outcome.ok
    ? { source: 'email-config-wizard', type: 'oauth-result', flowId: outcome.flow.id, status: 'connected', email: outcome.email }
    : {
        source: 'email-config-wizard',
        type: 'oauth-result',
        ...(flow ? { flowId: flow.id } : {}),
        status: 'failed',
        error: { code: outcome.code, message: outcome.message, ...(outcome.steps ? { steps: outcome.steps } : {}) },
      };
  // A replayed link must not overwrite what the first (real) callback already told the widget.
  // Another browser's callback (OAUTH_BROWSER_MISMATCH) changed nothing and tells nobody.
  const tellWidget = flow !== undefined && (outcome.ok || (outcome.code !== 'OAUTH_STATE_USED' && outcome.code !== 'OAUTH_BROWSER_MISMATCH'));
  const page = renderCallbackPage({
    message,
    // postMessage only to the session's exact origin, and only when it may embed the widget at all.
    targetOrigin: tellWidget && flow.origin && isAllowedOrigin(flow.origin) ? flow.origin : undefined,
    returnUrl: tellWidget && flow.return_url ? flow.return_url : undefined,
  });
  return c.html(page.html, outcome.ok ? 200 : statusForCode(outcome.code), page.headers);
}

async function formParams(c: Context<AppEnv>): Promise<CallbackParams & { relayed?: boolean }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return {};
  return pick(new URLSearchParams(await c.req.text()));
}

function pick(source: URLSearchParams): CallbackParams & { relayed?: boolean } {
  const get = (key: string) => source.get(key)?.slice(0, 4096) ?? undefined;
  return { state: get('state'), code: get('code'), error: get('error'), errorDescription: get('error_description'), relayed: isRelayed(source) };
}

import { Hono } from 'hono';
import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { HTTPException } from 'hono/http-exception';
import type { Context } from 'hono';
import { AppError } from '../contract/errors.js';
import { errorBody } from './errors.js';
import { errorBodyOf, isAppError, statusOf } from './error-status.js';
import type { ApiApp, AppEnv, Services } from './context.js';
import { createOriginCheck } from '../auth/origins.js';
import { validationHook } from './validation.js';
import { DecryptionError } from '../crypto/keyring.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerEventRoutes } from './routes/events.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { registerDetectRoutes } from './routes/detect.js';
import { registerOAuthRoutes } from './routes/oauth.js';
import { registerTestRoutes } from './routes/test.js';

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/([a-z.+-]*\+)?json\b/i;
const unsupportedMediaType = () =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON (Content-Type: application/json).');

/**
 * Builds the API (mounted at `config.basePath`) on top of ready services. The app has no state
 * of its own: everything lives in `services`.
 */
export function buildHttpApp(services: Services): Hono<AppEnv> {
  const { config, logger } = services;
  const isAllowedOrigin = createOriginCheck(config);
  const api: ApiApp = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  api.use('*', methodNotAllowed({ app: api, onMethodNotAllowed: (c, methods) => methodNotAllowedResponse(c, methods) }));
  const corsHeaders = cors({
    origin: (origin) => origin,
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Accept', 'Accept-Language'],
    exposeHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
  api.use('*', async (c, next) => {
    c.header('Vary', 'Origin');
    const origin = c.req.header('origin');
    if (origin && isAllowedOrigin(origin)) return corsHeaders(c, next);
    // An unlisted origin gets no CORS headers at all, so the browser refuses to hand over the answer.
    if (c.req.method === 'OPTIONS') return c.body(null, 204);
    await next();
  });
  const tooLarge = (): never => {
    throw new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES / 1024} kB.`);
  };
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  // bodyLimit reads `c.req.raw.body`, which makes @hono/node-server build a full web Request
  // (stream, AbortSignal, Headers) for every request. A declared Content-Length without
  // Transfer-Encoding is checked from the header alone, exactly as bodyLimit itself would; only a
  // chunked body (or a method that carries none) goes another way.
  api.use('*', (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return parseInt(length || '0', 10) > MAX_BODY_BYTES ? tooLarge() : next();
    }
    return limitBody(c, next);
  });
  api.use('*', async (c, next) => {
    // The OAuth callback (form_post) and launch (the widget's form) are browser form posts, not API calls.
    if (['POST', 'PUT', 'PATCH'].includes(c.req.method) && !/\/(callback|launch)$/.test(c.req.path)) {
      const type = c.req.header('content-type');
      const hasBody = type !== undefined || (c.req.header('content-length') ?? '0') !== '0' || c.req.header('transfer-encoding') !== undefined;
      if (hasBody && !JSON_MEDIA_TYPE.test(type ?? '')) throw unsupportedMediaType();
    }
    await next();
  });

  registerHealthRoutes(api, services);
  registerSessionRoutes(api, services);
  registerAccountRoutes(api, services);
  registerEventRoutes(api, services);
  registerSettingsRoutes(api, services);
  registerDetectRoutes(api, services);
  registerOAuthRoutes(api, services);
  registerTestRoutes(api, services);

  // Built on first request (every route is registered by then) and kept: generating it takes milliseconds.
  let openApiDocument: object | undefined;
  api.get('/openapi.json', (c) =>
    c.json(
      (openApiDocument ??= api.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'email-config-wizard', version: '0.1.0', description: 'Connect a support mailbox: detection, OAuth, connection tests, encrypted settings.' },
      })),
    ),
  );
  api.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'Host API key' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'http', scheme: 'bearer', description: 'Widget session token' });

  const app = new Hono<AppEnv>();
  app.use('*', requestId({ headerName: 'X-Request-Id', limitLength: 64 }));
  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('logger', logger.child({ requestId: c.get('requestId') }));
    await next();
    // The path only: query strings can hold OAuth codes and state.
    c.get('logger').info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  app.use(
    '*',
    secureHeaders({
      crossOriginResourcePolicy: 'cross-origin',
      crossOriginOpenerPolicy: false,
      referrerPolicy: 'no-referrer',
    }),
  );
  app.route(config.basePath, api);
  app.notFound((c) => {
    // An allowed origin may read this 404, so the widget can tell a wrong api-base from a refused origin.
    const origin = c.req.header('origin');
    if (origin && isAllowedOrigin(origin)) c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    return c.json(errorBody('NOT_FOUND', `There is no ${c.req.method} ${c.req.path} here.`), 404);
  });
  app.onError((error, c) => handleError(error, c));
  return app;
}

function methodNotAllowedResponse(c: Context, methods: string[]): Response {
  return c.json(errorBody('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed here; use ${methods.join(' or ')}.`), 405, {
    Allow: methods.join(', '),
  });
}

function handleError(error: Error, c: Context<AppEnv>): Response {
  // Recognised by shape, as Hono recognises HTTPException: the AppError a capability or a route threw.
  if (isAppError(error)) {
    // "Try again in n seconds" (the token service's 503 when no fresh token can be had in time).
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
    return c.json(errorBodyOf(error), statusOf(error));
  }
  if (error instanceof HTTPException) {
    if (error.status === 400 && /json/i.test(error.message)) {
      return c.json(errorBody('INVALID_JSON', 'The request body is not valid JSON.'), 400);
    }
    if (error.status === 413) return c.json(errorBody('PAYLOAD_TOO_LARGE', 'The request body is too large.'), 413);
    if (error.status === 415) return c.json(errorBodyOf(unsupportedMediaType()), 415);
    return c.json(errorBody('BAD_REQUEST', error.message || 'The request could not be understood.'), error.status as 400);
  }
  const log = c.get('logger');
  if (error instanceof DecryptionError) {
    log.error('stored secret unreadable', { error });
    return c.json(
      errorBody('SECRET_UNREADABLE', 'A saved secret cannot be read with the configured keys; the operator must restore the key.'),
      500,
    );
  }
  log.error('unhandled error', { error, stack: error.stack });
  return c.json(
    errorBody('INTERNAL_ERROR', `Something went wrong on the server. Quote request id ${c.get('requestId')} when reporting it.`),
    500,
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp, Services } from '../context.js';
import { requireApiKey, ACCOUNT_ID_PATTERN } from '../auth.js';
import { commonErrors, jsonBody, jsonResponse } from './shared.js';

const DEFAULT_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 24 * 3600;

export const AccountIdSchema = z
  .string({ error: 'The account id must be a string.' })
  .regex(ACCOUNT_ID_PATTERN, 'The account id must be 1 to 128 characters from letters, digits and . _ : @ - only.');

const SessionRequestSchema = z
  .strictObject({
    accountId: AccountIdSchema,
    origin: z
      .string({ error: 'origin must be a string such as https://app.example.com.' })
      .refine((value) => {
        try {
          return new URL(value).origin === value;
        } catch {
          return false;
        }
      }, 'origin must be an origin such as https://app.example.com, without a path.')
      .optional(),
    ttlSeconds: z
      .number({ error: 'ttlSeconds must be a number.' })
      .int('ttlSeconds must be a whole number.')
      .min(60, 'ttlSeconds must be at least 60.')
      .max(MAX_TTL_SECONDS, `ttlSeconds must be at most ${MAX_TTL_SECONDS} (one day).`)
      .optional(),
  })
  .openapi('SessionRequest');

const SessionSchema = z.object({ token: z.string(), expiresAt: z.string() }).openapi('Session');

export function registerSessionRoutes(api: ApiApp, services: Services): void {
  api.use('/sessions', requireApiKey(services));
  api.openapi(
    createRoute({
      method: 'post',
      path: '/sessions',
      summary: 'Mint a widget session token for one account (host API key)',
      security: [{ apiKey: [] }],
      request: jsonBody(SessionRequestSchema),
      responses: { 201: jsonResponse(SessionSchema, 'A new session token'), ...commonErrors },
    }),
    async (c) => {
      const { accountId, origin, ttlSeconds } = c.req.valid('json');
      const { token, claims } = services.sessions.issue({ accountId, origin, ttlSeconds: ttlSeconds ?? DEFAULT_TTL_SECONDS });
      await services.audit.record({ actor: 'host', accountId, action: 'session.create', result: 'ok', detail: { origin }, requestId: c.get('requestId') });
      return c.json({ token, expiresAt: new Date(claims.expiresAt).toISOString() }, 201);
    },
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp, Services } from '../context.js';
import { AccountEventListSchema } from '../../contract/events.js';
import { AccountIdSchema } from './sessions.js';
import { commonErrors, jsonResponse } from './shared.js';

const AccountParams = z.object({ accountId: AccountIdSchema.openapi({ param: { name: 'accountId', in: 'path' } }) });
const ListQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 100.' })
    .int('limit must be a whole number from 1 to 100.')
    .min(1, 'limit must be a whole number from 1 to 100.')
    .max(100, 'limit must be a whole number from 1 to 100.')
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, description: 'How many of the newest events (default 50)' }),
});

/** `GET /accounts/:id/events` (host API key; `requireApiKey` is mounted on /accounts/* by the account routes). */
export function registerEventRoutes(api: ApiApp, services: Services): void {
  api.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{accountId}/events',
      summary: "An account's recent events and their webhook delivery state, newest first (host API key)",
      security: [{ apiKey: [] }],
      request: { params: AccountParams, query: ListQuery },
      responses: { 200: jsonResponse(AccountEventListSchema, 'Recent events (none when no webhook URL is configured)'), ...commonErrors },
    }),
    async (c) => {
      const { accountId } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      return c.json({ events: await services.events.list(accountId, limit) }, 200);
    },
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp, Services } from '../context.js';
import { requireApiKey } from '../auth.js';
import { HostCredentialsSchema, SettingsViewSchema } from '../../contract/index.js';
import { AccountIdSchema } from './sessions.js';
import { commonErrors, errorResponse, jsonResponse } from './shared.js';

const AccountParams = z.object({ accountId: AccountIdSchema.openapi({ param: { name: 'accountId', in: 'path' } }) });

const notConfiguredResponse = { 404: errorResponse('No settings saved for this account') };

export function registerAccountRoutes(api: ApiApp, services: Services): void {
  api.use('/accounts/*', requireApiKey(services));

  api.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{accountId}/settings',
      summary: "An account's saved settings, without secrets (host API key)",
      security: [{ apiKey: [] }],
      request: { params: AccountParams },
      responses: { 200: jsonResponse(SettingsViewSchema, 'Saved settings'), ...commonErrors, ...notConfiguredResponse },
    }),
    async (c) => c.json(await services.settings.get(c.req.valid('param').accountId), 200),
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/accounts/{accountId}/credentials',
      summary: 'Ready-to-use imapflow and nodemailer options with a fresh secret (host API key)',
      security: [{ apiKey: [] }],
      request: { params: AccountParams },
      responses: {
        200: jsonResponse(HostCredentialsSchema, 'Connection options'),
        ...commonErrors,
        ...notConfiguredResponse,
        409: errorResponse('The OAuth connection needs to be renewed'),
      },
    }),
    async (c) => {
      const { accountId } = c.req.valid('param');
      const credentials = await services.settings.credentials(accountId);
      await services.audit.record({ actor: 'host', accountId, action: 'credentials.read', result: 'ok', requestId: c.get('requestId') });
      c.header('Cache-Control', 'no-store');
      return c.json(credentials, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/accounts/{accountId}',
      summary: 'Forget the account, its settings and its secrets (host API key)',
      security: [{ apiKey: [] }],
      request: { params: AccountParams },
      responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), 'Deleted (or nothing to delete)'), ...commonErrors },
    }),
    async (c) => {
      const { accountId } = c.req.valid('param');
      const result = await services.settings.remove(accountId);
      await services.audit.record({ actor: 'host', accountId, action: 'account.delete', result: 'ok', detail: result, requestId: c.get('requestId') });
      return c.json(result, 200);
    },
  );
}

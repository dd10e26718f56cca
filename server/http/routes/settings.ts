import { createRoute, z } from '@hono/zod-openapi';
import type { ApiApp, Services } from '../context.js';
import { requireSession } from '../auth.js';
import { SettingsInputSchema, SettingsViewSchema } from '../../contract/settings.js';
import { commonErrors, errorResponse, jsonBody, jsonResponse } from './shared.js';
import { isAppError } from '../../contract/errors.js';

export function registerSettingsRoutes(api: ApiApp, services: Services): void {
  api.use('/settings', requireSession(services));
  const security = [{ session: [] }];

  api.openapi(
    createRoute({
      method: 'get',
      path: '/settings',
      summary: "The session account's settings, without secrets",
      description: 'With `?optional=true` (the widget\'s first load) nothing saved answers `204` instead of `404 NOT_CONFIGURED`: an expected state, not an error a browser logs.',
      security,
      request: { query: z.object({ optional: z.enum(['true']).optional() }) },
      responses: {
        200: jsonResponse(SettingsViewSchema, 'Saved settings'),
        204: { description: 'Nothing saved yet (only with `?optional=true`)' },
        ...commonErrors,
        404: errorResponse('Nothing saved yet'),
      },
    }),
    async (c) => {
      try {
        return c.json(await services.settings.get(c.get('session').accountId), 200);
      } catch (error) {
        if (c.req.valid('query').optional && isAppError(error) && error.code === 'NOT_CONFIGURED') return c.body(null, 204) as never;
        throw error;
      }
    },
  );

  api.openapi(
    createRoute({
      method: 'put',
      path: '/settings',
      summary: 'Save the mailbox settings; secrets are stored encrypted',
      security,
      request: jsonBody(SettingsInputSchema),
      responses: { 200: jsonResponse(SettingsViewSchema, 'The saved settings'), ...commonErrors, 409: errorResponse('OAuth not connected') },
    }),
    async (c) => {
      const { accountId } = c.get('session');
      const input = c.req.valid('json');
      try {
        const view = await services.settings.put(accountId, input, { sessionId: c.get('session').sessionId });
        await services.audit.record({
          actor: 'session',
          accountId,
          action: 'settings.save',
          result: 'ok',
          detail: { imapHost: input.imap.host, smtpHost: input.smtp.host, method: input.auth.method },
          requestId: c.get('requestId'),
        });
        return c.json(view, 200);
      } catch (error) {
        if (isAppError(error)) {
          await services.audit.record({ actor: 'session', accountId, action: 'settings.save', result: 'error', detail: { code: error.code }, requestId: c.get('requestId') });
        }
        throw error;
      }
    },
  );

  api.openapi(
    createRoute({
      method: 'delete',
      path: '/settings',
      summary: 'Disconnect the mailbox: revoke OAuth grants and delete settings and secrets',
      security,
      responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), 'Deleted (or nothing to delete)'), ...commonErrors },
    }),
    async (c) => {
      const { accountId } = c.get('session');
      const result = await services.settings.remove(accountId);
      await services.audit.record({ actor: 'session', accountId, action: 'settings.delete', result: 'ok', detail: result, requestId: c.get('requestId') });
      return c.json(result, 200);
    },
  );
}

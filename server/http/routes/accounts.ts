import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { ApiApp, Services } from '../context.js';
import { requireApiKey } from '../auth.js';
import { HostCredentialsSchema, SettingsViewSchema } from '../../contract/index.js';
import { AccountIdSchema } from './sessions.js';
import { commonErrors, errorResponse, jsonResponse } from './shared.js';
import { pinSavedServers } from '../../settings/pin-servers.js';

const AccountParams = z.object({ accountId: AccountIdSchema.openapi({ param: { name: 'accountId', in: 'path' } }) });

const CredentialsRequestSchema = z
  .strictObject({
    forceRefresh: z
      .boolean({ error: 'forceRefresh must be true or false.' })
      .optional()
      .openapi({ description: 'The mail server refused the last token: fetch a new one now' }),
  })
  .openapi('HostCredentialsRequest');

/**
 * A host fetcher that sends `Content-Type: application/json` with an empty body asks for no
 * options: the body is read as `{}`, which the route's schema then checks like any other body
 * (only a body that is there and is not JSON is `400 INVALID_JSON`).
 */
const emptyJsonBodyIsNoOptions: MiddlewareHandler = async (c, next) => {
  if (c.req.header('content-type') && (await c.req.raw.clone().text()).trim() === '') {
    c.req.raw = new Request(c.req.raw, { body: '{}' });
  }
  await next();
};

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
      description:
        'Send `{"forceRefresh": true}` when the mail server refused the last access token: a new one is fetched at once ' +
        '(one refresh, shared by concurrent callers); a grant the provider no longer accepts answers `409 OAUTH_REAUTH_REQUIRED` ' +
        'and the settings show `needs_reauth`. No body, or an empty one (also with `Content-Type: application/json`), is the same as `{}`. ' +
        'The user name is the saved mailbox (a shared mailbox differs from the signed-in account). ' +
        'The saved host names are looked up again now and answered as the checked address with the name as `servername`; ' +
        'a name that now leads only to blocked addresses, or that DNS says does not exist (outside on-premise mode), is `409 BLOCKED_ADDRESS`. ' +
        'Outside on-premise mode a user-chosen name whose DNS look-up could not be completed (timeout, refused, SERVFAIL) is never handed out unchecked: ' +
        '`503 HOST_CHECK_UNAVAILABLE` with a `Retry-After` header and field `imap.host`/`smtp.host` (an OAuth provider\'s own hosts are exempt). ' +
        'No fresh access token within 10 s is `503 OAUTH_PROVIDER_UNAVAILABLE`, also with `Retry-After`.',
      security: [{ apiKey: [] }],
      middleware: [emptyJsonBodyIsNoOptions] as const,
      request: { params: AccountParams, body: { content: { 'application/json': { schema: CredentialsRequestSchema } }, required: false } },
      responses: {
        200: jsonResponse(HostCredentialsSchema, 'Connection options'),
        ...commonErrors,
        ...notConfiguredResponse,
        409: errorResponse('The OAuth connection needs to be renewed, or a saved host now resolves to a blocked address (BLOCKED_ADDRESS)'),
        503: {
          ...errorResponse(
            'Try again after Retry-After seconds: a saved host name could not be checked now because its DNS did not answer (HOST_CHECK_UNAVAILABLE), or no fresh access token could be had in time (OAUTH_PROVIDER_UNAVAILABLE)',
          ),
          headers: { 'Retry-After': { description: 'Seconds to wait before asking again', schema: { type: 'integer', minimum: 1 } } },
        },
      },
    }),
    async (c) => {
      const { accountId } = c.req.valid('param');
      const { forceRefresh } = c.req.valid('json');
      // The saved hosts are checked again now; the fetcher gets the checked address (+ servername).
      const saved = await services.settings.get(accountId);
      const pins = await pinSavedServers(services.net, { ...saved, oauthProvider: saved.auth.method === 'oauth' ? saved.auth.provider : undefined }, c.get('logger'));
      const found = await services.settings.credentials(accountId, { forceRefresh: forceRefresh === true });
      const credentials = { ...found, imap: { ...found.imap, ...pins.imap }, smtp: { ...found.smtp, ...pins.smtp } };
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

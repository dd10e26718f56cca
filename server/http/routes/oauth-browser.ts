import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ApiApp, AppEnv, Services } from '../context.js';
import { renderCallbackPage, type CallbackParams } from '../../oauth/index.js';
import type { OAuthProviderId } from '../../store/database.js';
import { statusForCode } from '../error-status.js';

/**
 * Binding an OAuth sign-in to the browser that started it (RFC 9700 §4.7.1).
 *
 * The widget opens `authorizationUrl` — this server's own `…/oauth/<provider>/launch` — as a
 * top-level form POST from its page (popup or redirect mode). The launch checks the browser's own
 * `Origin` header against the session's origin, sets a first-party cookie (`SameSite=Lax`, so it
 * also works where third-party cookies are blocked: the page is top-level on this origin) and sends
 * the browser on to the provider. The callback completes the flow only with that cookie: the same
 * callback URL from another browser is a 4xx page, `OAUTH_BROWSER_MISMATCH`, and stores nothing.
 * A forwarded link cannot launch either: a link is a GET, and another site's form has another Origin.
 */

/** The cookie that carries one flow's browser secret (one cookie per flow: two tabs may sign in at once). */
export function bindingCookieName(flowId: string): string {
  return `ecw_oauth_${flowId}`;
}

const FLOW_ID = /^([0-9a-f-]{36})\./;
const RELAY_FIELD = 'ecw_relay';

/** The browser secret the callback's browser holds for the flow its `state` names, if any. */
export function browserSecretFor(c: Context<AppEnv>, state: string | undefined): string | undefined {
  const flowId = FLOW_ID.exec(state ?? '')?.[1];
  return flowId ? getCookie(c, bindingCookieName(flowId)) : undefined;
}

/** Forgets the flow's cookie once the callback has used it. */
export function clearBindingCookie(c: Context<AppEnv>, services: Services, provider: OAuthProviderId, state: string | undefined): void {
  const flowId = FLOW_ID.exec(state ?? '')?.[1];
  if (flowId) deleteCookie(c, bindingCookieName(flowId), cookieOptions(services, provider));
}

/**
 * Over HTTPS the cookie is `SameSite=None; Secure`, so that Microsoft's cross-site `form_post`
 * carries it too (still first-party: it is only ever sent to this site's top-level callback page);
 * over plain HTTP (development) browsers refuse `None` without `Secure`, so it is `Lax` and the
 * form_post goes through the same-origin relay below.
 */
function cookieOptions(services: Services, provider: OAuthProviderId) {
  const secure = services.config.publicUrl.startsWith('https:');
  return {
    path: `${services.config.basePath}/oauth/${provider}/callback`,
    httpOnly: true,
    sameSite: secure ? ('None' as const) : ('Lax' as const),
    secure,
  };
}

/**
 * A `form_post` callback (Microsoft) is a cross-site POST, which never carries a `SameSite=Lax`
 * cookie. Such a first POST without the cookie gets a page that posts the same fields again to
 * the same URL — now from this origin, so the browser's own cookie comes along. A relayed POST
 * that still has no cookie comes from another browser. Undefined when no relay is needed.
 */
export async function relayFormPost(c: Context<AppEnv>, params: CallbackParams & { relayed?: boolean }): Promise<Response | undefined> {
  if (c.req.method !== 'POST' || params.relayed || !FLOW_ID.test(params.state ?? '') || browserSecretFor(c, params.state) !== undefined) return undefined;
  const nonce = randomBytes(16).toString('base64');
  const fields: Array<[string, string | undefined]> = [
    ['state', params.state],
    ['code', params.code],
    ['error', params.error],
    ['error_description', params.errorDescription],
    [RELAY_FIELD, '1'],
  ];
  const inputs = fields
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Signing in…</title></head>
<body><form id="relay" method="post" action="${escapeHtml(new URL(c.req.url).pathname)}">${inputs}<noscript><button>Continue</button></noscript></form>
<script nonce="${nonce}">document.getElementById('relay').submit();</script></body></html>`;
  return c.html(html, 200, {
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  });
}

/** True when a callback POST is the relayed second one. */
export function isRelayed(form: URLSearchParams): boolean {
  return form.get(RELAY_FIELD) === '1';
}

/**
 * `POST …/oauth/<provider>/launch` (form field `state`, from the widget's page) and the refusal of
 * `GET` on the same URL (a link someone was sent).
 */
export function registerOAuthLaunch(api: ApiApp, services: Services, provider: OAuthProviderId): void {
  const path = `/oauth/${provider}/launch`;
  const refuse = (c: Context<AppEnv>, outcome: { code: string; message: string; flowId?: string }) => {
    const page = renderCallbackPage({
      message: { source: 'email-config-wizard', type: 'oauth-result', status: 'failed', error: { code: outcome.code, message: outcome.message } },
    });
    return c.html(page.html, statusForCode(outcome.code), page.headers);
  };
  api.post(path, async (c) => {
    const type = c.req.header('content-type') ?? '';
    const form = /^application\/x-www-form-urlencoded\b/i.test(type) ? new URLSearchParams(await c.req.text()) : new URLSearchParams();
    const state = form.get('state')?.slice(0, 512) ?? undefined;
    const outcome = await services.oauth.service.launch(provider, state, c.req.header('origin'), c.get('logger'));
    if (!outcome.ok) return refuse(c, outcome);
    setCookie(c, bindingCookieName(outcome.flow.id), outcome.browserSecret, { ...cookieOptions(services, provider), maxAge: 15 * 60 });
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(outcome.location, 303);
  });
  api.get(path, (c) =>
    refuse(c, {
      code: 'OAUTH_BROWSER_MISMATCH',
      message: 'Open the sign-in from the settings page where you started it; a sign-in link cannot be opened on its own.',
    }),
  );
  for (const method of ['post', 'get'] as const) {
    api.openAPIRegistry.registerPath({
      method,
      path,
      summary:
        method === 'post'
          ? `Opens a ${provider === 'google' ? 'Google' : 'Microsoft'} sign-in in this browser: binds the flow to it (cookie), then 303 to the provider`
          : 'Refused: a sign-in is opened by the widget (a form POST from its page), never by a link',
      responses: { 303: { description: 'On to the provider' }, 400: { description: 'Refused: an HTML page that says why (any 4xx)' } },
    });
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

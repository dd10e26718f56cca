import { randomBytes } from 'node:crypto';

/** The message a popup's callback page posts to the widget (to the session's exact origin only). */
export interface OAuthResultMessage {
  source: 'email-config-wizard';
  type: 'oauth-result';
  flowId?: string;
  status: 'connected' | 'failed';
  email?: string;
  error?: { code: string; message: string; steps?: string[] };
}

export interface CallbackPageInput {
  message: OAuthResultMessage;
  /** Popup mode: post the message to this origin, then close. Absent: no postMessage at all. */
  targetOrigin?: string;
  /** Redirect mode: go back here, with the flow id and outcome in the query. */
  returnUrl?: string;
}

/**
 * The small HTML page a callback answers with. It carries no token or code, only the outcome.
 * A per-response nonce lets its one inline script run under a strict CSP.
 */
export function renderCallbackPage(input: CallbackPageInput): { html: string; headers: Record<string, string> } {
  const nonce = randomBytes(16).toString('base64');
  const { message } = input;
  const back = input.returnUrl ? returnTarget(input.returnUrl, message) : undefined;
  const payload = { message, targetOrigin: input.targetOrigin ?? null, returnUrl: back ?? null };
  const title = message.status === 'connected' ? 'Mailbox connected' : 'Connection failed';
  const text =
    message.status === 'connected'
      ? `${message.email ? escapeHtml(message.email) + ' is connected.' : 'The mailbox is connected.'} You can close this window.`
      : escapeHtml(message.error?.message ?? 'The sign-in did not complete.');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem;color:#1f2328}h1{font-size:1.25rem}code{color:#57606a}</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p role="status">${text}</p>
${message.error?.steps?.length ? `<ul>${message.error.steps.map((step) => `<li>${escapeHtml(step)}</li>`).join('')}</ul>` : ''}
${message.error ? `<p><code>${escapeHtml(message.error.code)}</code></p>` : ''}
${back ? `<p><a href="${escapeHtml(back)}">Return to the application</a></p>` : ''}
</main>
<script type="application/json" id="oauth-result">${jsonForScript(payload)}</script>
<script nonce="${nonce}">
(function () {
  var data = JSON.parse(document.getElementById('oauth-result').textContent);
  if (data.returnUrl) { window.location.replace(data.returnUrl); return; }
  if (data.targetOrigin && window.opener) {
    try { window.opener.postMessage(data.message, data.targetOrigin); } catch (e) {}
  }
  if (window.opener) setTimeout(function () { window.close(); }, 100);
})();
</script>
</body>
</html>`;
  return {
    html,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    },
  };
}

/** The return URL with `ecw_oauth_flow`, `ecw_oauth_status` and, on failure, `ecw_oauth_error` added. */
function returnTarget(returnUrl: string, message: OAuthResultMessage): string {
  const url = new URL(returnUrl);
  if (message.flowId) url.searchParams.set('ecw_oauth_flow', message.flowId);
  url.searchParams.set('ecw_oauth_status', message.status);
  if (message.error) url.searchParams.set('ecw_oauth_error', message.error.code);
  return url.toString();
}

function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

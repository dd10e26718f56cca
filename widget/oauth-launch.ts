/**
 * Opening a sign-in the server answered (`authorizationUrl`). The server's own launch page
 * (`…/oauth/<provider>/launch?state=…`) must be opened as a top-level form POST from this page:
 * the browser then sends this page's `Origin`, and the server binds the sign-in to this browser
 * with a first-party cookie (RFC 9700 §4.7.1) before sending it on to the provider. That works
 * in the popup and in redirect mode, with third-party cookies blocked too. Any other URL (an
 * older server answering the provider's URL directly) is simply navigated to.
 */

/** True for the server's launch page, which is opened with a form POST. */
export function isLaunchUrl(url: string): boolean {
  return /\/oauth\/[a-z]+\/launch$/.test(new URL(url, window.location.href).pathname);
}

/**
 * Submits the launch URL's query as a hidden form (POST) into the window named `target` — the
 * popup opened in the click, or `_self` for redirect mode.
 */
export function postToWindow(url: string, target: string): void {
  const parsed = new URL(url, window.location.href);
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = `${parsed.origin}${parsed.pathname}`;
  form.target = target;
  form.hidden = true;
  for (const [name, value] of parsed.searchParams) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
  form.remove();
}

import { msg } from '@lit/localize';
import { ApiError, type OAuthProvider } from './api.js';
import type { EmailConfigWizard } from './email-config-wizard.js';
import { isLaunchUrl, postToWindow } from './oauth-launch.js';

/**
 * The OAuth sign-in of the element, moved out of it into the later steps' chunk (the address
 * step does not need it; see widget/lazy-steps.ts). Each function is the element method of the
 * same purpose with the element as `host`; private members are reached as `host['name']`.
 */

const FLOW_POLL_MS = 1500;
/** The popup's window name: the launch form is posted into it. */
export const OAUTH_WINDOW = 'ecw-oauth';

/**
 * Opens the provider's sign-in. The popup is opened synchronously (inside the click) so that
 * browsers allow it; when they block it anyway the page goes to the provider (redirect mode)
 * and the wizard resumes from sessionStorage when it comes back.
 */
export function startOAuthFlow(host: EmailConfigWizard, provider: OAuthProvider): void {
  host.error = null;
  host.dispatch({ type: 'choose-oauth', provider });
  host['popup']?.close();
  const popup = window.open('', OAUTH_WINDOW, 'popup,width=520,height=680');
  host['popup'] = popup;
  // Blocked: redirect mode, where the callback sends the browser back to this page.
  const returnUrl = popup ? undefined : window.location.href;
  void (async () => {
    try {
      const { authorizationUrl, flowId } = await host['api'].startOAuth(provider, { email: host.state.email || undefined, returnUrl });
      host.dispatch({ type: 'oauth-started', flowId });
      host['persist']();
      if (popup?.closed) {
        // The person closed the window before it got anywhere: a cancel, not a blocked popup.
        cancelOAuthFlow(host);
        host['fail'](new ApiError(0, 'POPUP_CLOSED', 'The sign-in window was closed before the sign-in finished.'));
        return;
      }
      if (!popup) {
        host.redirecting = true;
        host['navigate'](authorizationUrl);
        return;
      }
      // The server's launch page binds the sign-in to this browser: it is opened with a form POST.
      if (isLaunchUrl(authorizationUrl)) postToWindow(authorizationUrl, OAUTH_WINDOW);
      else popup.location.href = authorizationUrl;
      watchOAuthFlow(host, flowId);
    } catch (error) {
      popup?.close();
      host.dispatch({ type: 'oauth-failed' });
      host['fail'](error);
    }
  })();
}

export function cancelOAuthFlow(host: EmailConfigWizard): void {
  host['flowWatch']?.abort();
  host['popup']?.close();
  host['popup'] = null;
  host['emit']('ecw-cancel', { step: host.state.step });
  host.dispatch({ type: 'back' });
}

/** Polls the flow's status until it ends; a `postMessage` from the callback page only makes it sooner. */
export function watchOAuthFlow(host: EmailConfigWizard, flowId: string): void {
  host['flowWatch']?.abort();
  const watch = new AbortController();
  host['flowWatch'] = watch;
  let wake: () => void = () => undefined;
  host['wakeFlow'] = () => wake();
  void (async () => {
    while (!watch.signal.aborted && host.state.oauthFlowId === flowId) {
      // Read before the status: a window closed before a still-pending answer was closed without signing in.
      const closed = host['popup']?.closed === true;
      try {
        const flow = await host['api'].flowStatus(flowId, watch.signal);
        if (watch.signal.aborted) return;
        if (flow.status === 'pending' && closed) {
          host['popup'] = null;
          host.dispatch({ type: 'oauth-failed' });
          host['fail'](new ApiError(0, 'POPUP_CLOSED', 'The sign-in window was closed before the sign-in finished.'));
          return;
        }
        if (flow.status === 'connected') {
          host['popup']?.close();
          host['announce'](msg('Signed in.', { id: 'oauth.done' }));
          host.dispatch({ type: 'oauth-connected', email: flow.email });
          return;
        }
        if (flow.status === 'failed') {
          host['popup']?.close();
          const error = typeof flow.error === 'string' ? { code: flow.error, message: flow.error } : flow.error;
          host.dispatch({ type: 'oauth-failed' });
          host['fail'](new ApiError(200, error?.code ?? 'OAUTH_FAILED', error?.message ?? msg('The sign-in did not finish.', { id: 'oauth.failed' })));
          return;
        }
      } catch (error) {
        if (watch.signal.aborted) return;
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
          host.dispatch({ type: 'oauth-failed' });
          host['fail'](error);
          return;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FLOW_POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
}

/** Leaves the page for the sign-in (redirect mode): the server's launch page by form POST, anything else by navigation. */
export function navigateTo(url: string): void {
  if (isLaunchUrl(url)) postToWindow(url, '_self');
  else window.location.assign(url);
}

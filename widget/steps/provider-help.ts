import { html, nothing, svg } from 'lit';
import { msg, str } from '@lit/localize';
import type { DetectionResult, OAuthProvider } from '../api.js';
import type { ProviderHints } from './explain.js';

/**
 * The provider's sign-in buttons drawn to Google's and Microsoft's branding guidelines (white
 * button, grey outline, the multi-coloured "G" / the four-square logo, the provider's own words
 * "Sign in with Google" / "Sign in with Microsoft"; dark variants for the dark theme), and the
 * detection notes rendered in the widget's language from the provider's hints.
 */
const GOOGLE_G = svg`<svg viewBox="0 0 48 48" width="18" height="18" aria-hidden="true"><path fill="#EA4335" d="M24 9.5c3.54 0 6.71 1.22 9.21 3.6l6.85-6.85C35.9 2.38 30.47 0 24 0 14.62 0 6.51 5.38 2.56 13.22l7.98 6.19C12.43 13.72 17.74 9.5 24 9.5z"/><path fill="#4285F4" d="M46.98 24.55c0-1.57-.15-3.09-.38-4.55H24v9.02h12.94c-.58 2.96-2.26 5.48-4.78 7.18l7.73 6c4.51-4.18 7.09-10.36 7.09-17.65z"/><path fill="#FBBC05" d="M10.53 28.59c-.48-1.45-.76-2.99-.76-4.59s.27-3.14.76-4.59l-7.98-6.19C.92 16.46 0 20.12 0 24c0 3.88.92 7.54 2.56 10.78l7.97-6.19z"/><path fill="#34A853" d="M24 48c6.48 0 11.93-2.13 15.89-5.81l-7.73-6c-2.15 1.45-4.92 2.3-8.16 2.3-6.26 0-11.57-4.22-13.47-9.91l-7.98 6.19C6.51 42.62 14.62 48 24 48z"/></svg>`;
const MICROSOFT_LOGO = svg`<svg viewBox="0 0 21 21" width="18" height="18" aria-hidden="true"><rect x="1" y="1" width="9" height="9" fill="#F25022"/><rect x="11" y="1" width="9" height="9" fill="#7FBA00"/><rect x="1" y="11" width="9" height="9" fill="#00A4EF"/><rect x="11" y="11" width="9" height="9" fill="#FFB900"/></svg>`;

/** A provider's sign-in button. */
export function providerButton(provider: OAuthProvider, onClick: () => void, next = true) {
  const label = provider === 'google' ? msg('Sign in with Google', { id: 'brand.google' }) : msg('Sign in with Microsoft', { id: 'brand.microsoft' });
  return html`<button class="brand ${provider}" part="button oauth-button" type="button" ?data-next=${next} @click=${onClick}>
    ${provider === 'google' ? GOOGLE_G : MICROSOFT_LOGO}<span>${label}</span>
  </button>`;
}

/** The provider hints detection gave (`provider.hints`), when the server sends them. */
export const hintsOf = (detection: DetectionResult | null): ProviderHints | undefined => (detection?.provider as { hints?: ProviderHints } | null | undefined)?.hints;

/** A link to the provider's own instructions. */
const helpLink = (href: string, text: string) => html`<a href=${href} target="_blank" rel="noopener noreferrer">${text}</a>`;

/**
 * What the person should know about this provider, in the widget's language: rendered from the
 * hints (app password, IMAP switched off by default, OAuth only); the server's English notes only
 * when there are no hints to render from.
 */
export function providerNotes(detection: DetectionResult | null, id?: string) {
  if (!detection) return nothing;
  const hints = hintsOf(detection);
  const name = detection.provider?.name ?? detection.domain;
  const lines: unknown[] = [];
  if (detection.provider?.supported === false) {
    lines.push(msg('Use an address at a provider that offers IMAP and SMTP, or connect the mailbox this address forwards to.', { id: 'note.unsupported' }));
  } else if (hints) {
    if (hints.oauthOnly) lines.push(msg(str`${name} only allows signing in with its own sign-in button; passwords are refused.`, { id: 'note.oauthonly' }));
    if (hints.appPassword) {
      lines.push(html`${msg(str`${name} needs an app password (created in its security settings) instead of your usual password.`, { id: 'note.apppw' })}
        ${hints.helpUrl ? helpLink(hints.helpUrl, msg('How to create an app password', { id: 'note.apppwlink' })) : nothing}`);
    }
    if (hints.enableImap) {
      lines.push(html`${msg(str`${name} only allows mail programs after you switch on IMAP access once in its settings.`, { id: 'note.imap' })}
        ${hints.helpUrl ? helpLink(hints.helpUrl, msg('How to switch it on', { id: 'note.imaplink' })) : nothing}`);
    }
    if (!hints.oauthOnly && !hints.appPassword && !hints.enableImap && hints.helpUrl) lines.push(helpLink(hints.helpUrl, msg(str`${name}: instructions for mail programs`, { id: 'note.help' })));
  }
  if (lines.length === 0 && detection.notes.length) return html`<div id=${id ?? nothing} class="hint" lang="en">${detection.notes.map((note) => html`<p class="hint">${note}</p>`)}</div>`;
  return lines.length ? html`<div id=${id ?? nothing} class="hint notes">${lines.map((line) => html`<p class="hint">${line}</p>`)}</div>` : nothing;
}

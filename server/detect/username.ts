import type { ServerSpec } from './providers/index.js';
import type { MailServer, ServerTemplate } from './types.js';
import type { NormalisedEmail } from './address.js';

/** The username template for a provider's `email` / `localpart` username form. */
export function usernameTemplate(form: ServerSpec['username']): string {
  return form === 'localpart' ? '%EMAILLOCALPART%' : '%EMAILADDRESS%';
}

/** A provider database server as a template. */
export function fromSpec(spec: ServerSpec | null | undefined): ServerTemplate | null {
  return spec ? { host: spec.host, port: spec.port, security: spec.security, username: usernameTemplate(spec.username) } : null;
}

/**
 * Fills a server template in for one address: `%EMAILADDRESS%`, `%EMAILLOCALPART%` and
 * `%EMAILDOMAIN%` as in Thunderbird's autoconfig format.
 *
 * @example render({ host: 'imap.x.com', port: 993, security: 'tls', username: '%EMAILLOCALPART%' }, address).username // 'support'
 */
export function render(server: ServerTemplate | null, address: NormalisedEmail): MailServer | null {
  if (!server) return null;
  const username = server.username
    .replaceAll('%EMAILADDRESS%', address.email)
    .replaceAll('%EMAILLOCALPART%', address.localPart)
    .replaceAll('%EMAILDOMAIN%', address.domain);
  return { host: server.host, port: server.port, security: server.security, username };
}

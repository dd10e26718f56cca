import type { ServerSpec } from './providers/index.js';
import type { MailServer } from './types.js';
import type { ServerTemplate } from './finding.js';
import type { NormalisedEmail } from './address.js';

/** The username template for a provider's `email` / `localpart` username form. */
export function usernameTemplate(form: ServerSpec['username']): string {
  return form === 'localpart' ? '%EMAILLOCALPART%' : '%EMAILADDRESS%';
}

/** A provider database server as a template. */
export function fromSpec(spec: ServerSpec | null | undefined): ServerTemplate | null {
  return spec ? { host: spec.host, port: spec.port, security: spec.security, username: usernameTemplate(spec.username) } : null;
}

/** Replaces every autoconfig placeholder in `template` with the address's parts. */
export function fillPlaceholders(template: string, address: NormalisedEmail): string {
  return template
    .replaceAll('%EMAILADDRESS%', address.email)
    .replaceAll('%EMAILLOCALPART%', address.localPart)
    .replaceAll('%EMAILDOMAIN%', address.domain);
}

const HOST_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/**
 * Fills a server template in for one address: `%EMAILADDRESS%`, `%EMAILLOCALPART%` and
 * `%EMAILDOMAIN%` as in Thunderbird's autoconfig format, in the host name and the username.
 * Null when the filled-in host is not a host name (a local part cannot make one).
 *
 * @example render({ host: 'mail.%EMAILDOMAIN%', port: 993, security: 'tls', username: '%EMAILLOCALPART%' }, address) // { host: 'mail.company.com', username: 'support', … }
 */
export function render(server: ServerTemplate | null, address: NormalisedEmail): MailServer | null {
  if (!server) return null;
  const host = fillPlaceholders(server.host, address).toLowerCase();
  if (!HOST_NAME.test(host)) return null;
  return { host, port: server.port, security: server.security, username: fillPlaceholders(server.username, address) };
}

/**
 * The SSRF-safe network layer: every outbound connection the server makes on a user's behalf
 * (detection probes, autoconfig fetches, IMAP/SMTP tests, OAuth token calls) goes through
 * `SafeNetwork`.
 */
export { NetError, toNetError, type NetErrorCode } from './errors.js';
export { classifyAddress, parseIpLiteral, type AddressClass } from './address.js';
export { normaliseHostName } from './dns.js';
export { normaliseHost, sameHost, isLocalhostName } from './host.js';
export { SafeNetwork, MAIL_PORTS, WEB_PORTS, type NetOptions, type ResolvedAddress } from './safe-network.js';
export type { HttpResponse } from './http.js';
export { resolveOnce, pinnedResolver, type Resolution } from './pinned.js';

import ipaddr from 'ipaddr.js';

/** The verdict on one IP address: `range` is ipaddr.js's name for it (loopback, private, unicast…). */
export interface AddressClass {
  blocked: boolean;
  range: string;
}

/**
 * Parses an IP literal in any spelling the C library would accept — `127.1`, `2130706433`,
 * `0x7f.0.0.1`, `0177.0.0.1`, `[::1]`, `::ffff:127.0.0.1` — into its canonical form, unwrapping
 * IPv4-mapped IPv6. Returns undefined for anything that is not an IP literal (a host name).
 *
 * @example parseIpLiteral('0x7f.1') // { address: '127.0.0.1', family: 4 }
 */
export function parseIpLiteral(text: string): { address: string; family: 4 | 6 } | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (bare === '') return undefined;
  const looksV4 = /^[0-9a-fx.]+$/i.test(bare) && /^[0-9]/.test(bare);
  if (!bare.includes(':') && !looksV4) return undefined;
  try {
    const parsed = ipaddr.process(bare);
    return { address: parsed.toString(), family: parsed.kind() === 'ipv4' ? 4 : 6 };
  } catch {
    return undefined;
  }
}

/**
 * Decides whether the server may connect to `ip` on a user's behalf: only global unicast
 * addresses pass. Blocked: loopback, private, link-local (169.254.169.254 included), unique-local,
 * site-local, CGNAT, multicast, broadcast, unspecified, reserved and documentation ranges, and
 * the IPv6 forms that embed an IPv4 address (NAT64, 6to4, Teredo) because they can hide one.
 * An unparsable string is blocked as `invalid`.
 *
 * @example classifyAddress('::ffff:10.0.0.1') // { blocked: true, range: 'private' }
 */
export function classifyAddress(ip: string): AddressClass {
  const literal = parseIpLiteral(ip);
  if (!literal) return { blocked: true, range: 'invalid' };
  const range = ipaddr.parse(literal.address).range();
  return { blocked: range !== 'unicast', range };
}

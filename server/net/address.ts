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
 * the IPv6 forms that embed an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible `::7f00:1`)
 * because they can hide one, and every IPv6 address outside global unicast 2000::/3.
 * An unparsable string is blocked as `invalid`.
 *
 * @example classifyAddress('::ffff:10.0.0.1') // { blocked: true, range: 'private' }
 */
export function classifyAddress(ip: string): AddressClass {
  const literal = parseIpLiteral(ip);
  if (!literal) return { blocked: true, range: 'invalid' };
  const parsed = ipaddr.parse(literal.address);
  const range = parsed.range();
  if (range !== 'unicast') return { blocked: true, range };
  if (parsed.kind() === 'ipv6') {
    // ipaddr.js calls everything it has no name for "unicast" (`::7f00:1`, `fe00::1`, `4000::1`).
    // Only global unicast is reachable: 2000::/3, minus the IETF special-purpose block it holds.
    const v6 = parsed as ipaddr.IPv6;
    if (!v6.match(GLOBAL_UNICAST_V6)) return { blocked: true, range: 'notGlobalUnicast' };
    if (SPECIAL_V6.some((cidr) => v6.match(cidr))) return { blocked: true, range: 'reserved' };
  }
  return { blocked: false, range };
}

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** IANA IPv6 special-purpose registry entries inside 2000::/3 that ipaddr.js does not name. */
const SPECIAL_V6 = ['2001::/23', '2001:db8::/32', '3fff::/20'].map((cidr) => ipaddr.IPv6.parseCIDR(cidr));

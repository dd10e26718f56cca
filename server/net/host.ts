import { parseIpLiteral } from './address.js';
import { normaliseHostName } from './dns.js';

/**
 * The one normal form of a server address, used wherever a host enters (a route, a saved row,
 * a comparison): a host name lower-cased, without its trailing dot and with international labels
 * in punycode; an IP literal in its canonical spelling (`0x7f.1` → `127.0.0.1`, `[::1]` → `::1`).
 * Undefined when the text can be neither.
 *
 * @example normaliseHost('IMAP.Bücher.Test.') // 'imap.xn--bcher-kva.test'
 * @example normaliseHost('2130706433') // '127.0.0.1'
 */
export function normaliseHost(text: string): string | undefined {
  const literal = parseIpLiteral(text);
  if (literal) return literal.address;
  try {
    return normaliseHostName(text);
  } catch {
    return undefined;
  }
}

/** True when two hosts name the same server after `normaliseHost` (an unreadable host matches nothing). */
export function sameHost(a: string, b: string): boolean {
  const left = normaliseHost(a);
  return left !== undefined && left === normaliseHost(b);
}

/**
 * `localhost` and every name below it: RFC 6761 §6.3 reserves them for the loopback interface,
 * so they are refused by name, before any look-up (a resolver may answer them from /etc/hosts).
 */
export function isLocalhostName(host: string): boolean {
  const name = normaliseHost(host);
  return name !== undefined && (name === 'localhost' || name.endsWith('.localhost'));
}

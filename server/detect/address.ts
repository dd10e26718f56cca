import { domainToASCII } from 'node:url';
import { parseIpLiteral } from '../net/index.js';

/** An address that cannot be detected: `message` is a sentence for the person who typed it. */
export class InvalidEmailError extends Error {
  override name = 'InvalidEmailError';
  readonly code = 'INVALID_EMAIL';
}

export interface NormalisedEmail {
  /** `local@domain` with the domain lower-case punycode. */
  email: string;
  localPart: string;
  domain: string;
}

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const CONTROL_OR_SPACE = /[\u0000-\u001f\u007f\s]/;
const ASCII_LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
/**
 * RFC 6531: a local part may hold any non-ASCII character (letters with their combining marks,
 * as Thai and Hindi write them), but never a control, format (invisible), private-use,
 * unassigned or separator character.
 */
const INTERNATIONAL_LOCAL_PART = /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]|[^\p{C}\p{Z}\x00-\x7f])+$/u;
/** A combining mark needs a character to sit on: not first, not after a dot. */
const STRAY_MARK = /(^|\.)\p{M}/u;
const ASCII_DOMAIN = /^[a-z0-9.-]+$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const DIGITS = /^[0-9]+$/;

/**
 * Checks and normalises an email address: trims it, puts it in Unicode NFC, lower-cases the
 * domain, converts an international domain to punycode and drops a trailing dot; international
 * local parts (RFC 6531: Thai, Hindi, accented letters) are accepted. The local part keeps its case
 * (some servers care). Throws InvalidEmailError with a sentence for anything else.
 *
 * @example normaliseEmail(' Support@Bücher.DE ') // { email: 'Support@xn--bcher-kva.de', localPart: 'Support', domain: 'xn--bcher-kva.de' }
 */
export function normaliseEmail(input: unknown): NormalisedEmail {
  if (typeof input !== 'string' || input.trim() === '') throw new InvalidEmailError('Enter an email address, such as support@company.com.');
  // One spelling for one address: `José` typed with a combining accent is the precomposed `José`.
  const text = input.trim().normalize('NFC');
  if (CONTROL_OR_SPACE.test(text)) throw new InvalidEmailError('An email address cannot contain spaces or control characters.');
  const at = text.lastIndexOf('@');
  if (at === -1) throw new InvalidEmailError(`"${shorten(text)}" has no @: enter a full address, such as support@company.com.`);
  const localPart = text.slice(0, at);
  const rawDomain = text.slice(at + 1);
  if (localPart === '') throw new InvalidEmailError('The part before the @ is missing.');
  if (localPart.includes('@')) throw new InvalidEmailError('An email address has exactly one @.');
  if (localPart.length > MAX_LOCAL_PART_LENGTH) throw new InvalidEmailError('The part before the @ is longer than the 64 characters an address allows.');
  if ((!ASCII_LOCAL_PART.test(localPart) && !INTERNATIONAL_LOCAL_PART.test(localPart)) || STRAY_MARK.test(localPart)) {
    throw new InvalidEmailError('The part before the @ contains characters an address cannot have.');
  }
  if (localPart.startsWith('.') || localPart.endsWith('.') || localPart.includes('..')) {
    throw new InvalidEmailError('The part before the @ cannot start or end with a dot, or have two dots in a row.');
  }
  if (rawDomain === '') throw new InvalidEmailError('The domain after the @ is missing.');
  if (rawDomain.startsWith('[') || parseIpLiteral(rawDomain.replace(/\.$/, '')) !== undefined) {
    throw new InvalidEmailError('Use an address with a domain name, not an IP address, after the @.');
  }
  const lowered = rawDomain.replace(/\.$/, '').toLowerCase();
  const domain = ASCII_DOMAIN.test(lowered) ? lowered : domainToASCII(lowered);
  const labels = domain.split('.');
  const valid =
    domain !== '' &&
    domain.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => DOMAIN_LABEL.test(label)) &&
    !DIGITS.test(labels[labels.length - 1]!);
  if (!valid) throw new InvalidEmailError(`"${shorten(rawDomain)}" is not a valid domain name.`);
  const email = `${localPart}@${domain}`;
  if (email.length > MAX_ADDRESS_LENGTH) throw new InvalidEmailError('The address is longer than the 254 characters an address allows.');
  return { email, localPart, domain };
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

import { CONTROL_CHARS } from './text.js';

/** Something, one @, a domain with a dot; no spaces anywhere. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The one check of "this looks like an email address", shared by the request schemas, the
 * widget's live validation and the OAuth ID-token reader. It imports nothing, so the widget
 * bundles it for free. Detection parses further (`normaliseEmail` in server/detect/address.ts:
 * a real domain name, IDN to punycode) because it must look the domain up.
 *
 * @example looksLikeEmail('support@example.com') // true
 * @example looksLikeEmail('support@') // false
 */
export function looksLikeEmail(value: string): boolean {
  return EMAIL_SHAPE.test(value) && !CONTROL_CHARS.test(value);
}

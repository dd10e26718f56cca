import { z } from '@hono/zod-openapi';
import { CONTROL_CHARS } from './text.js';

/**
 * The shape every email address in a request must have: something, one @, something, no spaces
 * or control characters. Detection checks more (`normaliseEmail` in `server/detect/address.ts`:
 * a real domain, punycode) because it must resolve the domain; a settings payload only needs an
 * address the mail server will recognise.
 */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** True when `value` has the shape of an email address (for code that is not parsing a request). */
export function looksLikeEmail(value: string): boolean {
  return EMAIL_SHAPE.test(value) && !CONTROL_CHARS.test(value);
}

export const EmailSchema = z
  .string({ error: 'Enter an email address.' })
  .trim()
  .min(3, 'Enter an email address such as support@example.com.')
  .max(320, 'An email address is at most 320 characters long.')
  .refine(looksLikeEmail, { message: 'Enter an email address such as support@example.com.' });

import { z } from '@hono/zod-openapi';
import { looksLikeEmail } from './email-shape.js';

/** An email address in a request body (`looksLikeEmail` is the one definition of the shape). */
export const EmailSchema = z
  .string({ error: 'Enter an email address.' })
  .trim()
  .min(3, 'Enter an email address such as support@example.com.')
  .max(320, 'An email address is at most 320 characters long.')
  .refine(looksLikeEmail, { message: 'Enter an email address such as support@example.com.' });

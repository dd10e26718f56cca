import { z } from '@hono/zod-openapi';
import { EmailSchema, ProtocolResultSchema, SettingsInputSchema } from '../settings/schema.js';

/**
 * The body of `POST /test`: the settings payload of `PUT /settings` with every part optional —
 * `imap` or `smtp` left out is not tested, `auth` left out (or a password left out) uses what is
 * saved — plus `sendTestTo`, the only way to make the test send a message.
 */
export const TestInputSchema = SettingsInputSchema.partial()
  .extend({
    sendTestTo: EmailSchema.optional().openapi({ description: 'Send a short test message to this address after SMTP sign-in' }),
  })
  .openapi('ConnectionTestInput');

export type TestInput = z.infer<typeof TestInputSchema>;

export const ProtocolTestResultSchema = ProtocolResultSchema.extend({
  messages: z.number().optional().openapi({ description: 'IMAP: messages in INBOX' }),
  warnings: z.array(z.string()).optional(),
});

export const TestAnswerSchema = z
  .object({ ok: z.boolean(), imap: ProtocolTestResultSchema.optional(), smtp: ProtocolTestResultSchema.optional() })
  .openapi('ConnectionTestResult');

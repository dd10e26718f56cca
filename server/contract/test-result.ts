import { z } from '@hono/zod-openapi';
import { MAIL_TEST_CODES } from './codes.js';
import { EmailSchema } from './email.js';
import { SettingsInputSchema } from './settings.js';

/** `POST /test` (DESIGN.md "Settings and test payloads", "Connection-test error codes"). */

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

/** Phase names in the order they happen; a result lists the ones that ran. */
export const PHASE_NAMES = ['token', 'resolve', 'connect', 'tls', 'greeting', 'starttls', 'authenticate', 'inbox', 'send'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

export const TestPhaseSchema = z.object({ name: z.enum(PHASE_NAMES), ok: z.boolean(), ms: z.number() });

/** A failure as the browser sees it: code, sentence, the field to fix and steps to take. */
export const TestErrorSchema = z.object({
  code: z.enum(MAIL_TEST_CODES),
  message: z.string(),
  field: z.string().optional(),
  steps: z.array(z.string()),
});

/** One protocol's outcome. */
export const ProtocolResultSchema = z
  .object({
    ok: z.boolean(),
    phases: z.array(TestPhaseSchema),
    error: TestErrorSchema.optional(),
    messages: z.number().optional().openapi({ description: 'IMAP: messages in INBOX' }),
    warnings: z.array(z.string()).optional().openapi({ description: 'What a person should know even on success (an untrusted certificate accepted by choice)' }),
  })
  .openapi('ProtocolTestResult');

/** The answer of `POST /test`: a protocol that was not asked about is absent. */
export const TestResultSchema = z
  .object({ ok: z.boolean(), imap: ProtocolResultSchema.optional(), smtp: ProtocolResultSchema.optional() })
  .openapi('ConnectionTestResult');

export type TestPhase = z.infer<typeof TestPhaseSchema>;
export type TestError = z.infer<typeof TestErrorSchema>;
export type ProtocolResult = z.infer<typeof ProtocolResultSchema>;
export type TestResult = z.infer<typeof TestResultSchema>;

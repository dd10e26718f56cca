import { z } from '@hono/zod-openapi';
import { ACCOUNT_STATUSES } from './codes.js';
import { EmailSchema } from './email.js';
import { MailServerSchema, OAuthProviderSchema } from './mail-server.js';
import { CONTROL_CHARS } from './text.js';
import { orNull } from './or-null.js';

/** `PUT /settings` and `GET /settings` (DESIGN.md "Settings and test payloads"). */

const SecretSchema = (what: string) =>
  z
    .string({ error: `Enter the ${what}.` })
    .min(1, `Enter the ${what}.`)
    .max(4096, `The ${what} is at most 4096 characters long.`)
    .refine((value) => !/[\r\n\u0000]/.test(value), `The ${what} cannot contain line breaks.`);

export const PasswordAuthSchema = z.strictObject({
  method: z.literal('password'),
  password: SecretSchema('password').optional(),
  smtpPassword: SecretSchema('SMTP password').optional(),
});

export const OAuthAuthSchema = z.strictObject({
  method: z.literal('oauth'),
  provider: OAuthProviderSchema,
  account: EmailSchema.optional().openapi({
    description:
      'The signed-in account whose token opens the mailbox (default: the account of this session\'s latest completed sign-in with the provider). ' +
      'The mailbox is imap.username / smtp.username: a Microsoft 365 shared mailbox differs from the account.',
  }),
});

export const AuthSchema = z
  .discriminatedUnion('method', [PasswordAuthSchema, OAuthAuthSchema], {
    error: 'auth.method must be "password" or "oauth".',
  })
  .openapi('Auth');

export const SettingsInputSchema = z
  .strictObject({
    email: EmailSchema,
    imap: MailServerSchema,
    smtp: MailServerSchema,
    auth: AuthSchema,
    fromName: z
      .string({ error: 'The sender name must be text.' })
      .trim()
      .max(200, 'The sender name is at most 200 characters long.')
      .refine((value) => !CONTROL_CHARS.test(value), 'The sender name cannot contain control characters.')
      .nullish(),
    checkIntervalSeconds: z
      .number({ error: 'The check interval must be a number of seconds.' })
      .int('The check interval must be a whole number of seconds.')
      .min(60, 'Check for new mail at most once a minute (60 seconds).')
      .max(86400, 'Check for new mail at least once a day (86400 seconds).')
      .optional(),
    deleteAfterProcessing: z.boolean({ error: 'deleteAfterProcessing must be true or false.' }).optional(),
    allowUntrustedCertificates: z.boolean({ error: 'allowUntrustedCertificates must be true or false.' }).optional(),
  })
  .openapi('SettingsInput');

export type Auth = z.infer<typeof AuthSchema>;
export type SettingsInput = z.infer<typeof SettingsInputSchema>;

export const AccountStatusSchema = z.enum(ACCOUNT_STATUSES);

const ProtocolOutcomeSchema = z.object({
  ok: z.boolean(),
  code: z.string().optional(),
  at: z.string().optional().openapi({ description: 'ISO 8601 time of this protocol\'s latest test of exactly the saved values' }),
});
export const LastTestSchema = z
  .object({
    at: z.string().openapi({ description: 'ISO 8601 time of the test' }),
    ok: z.boolean(),
    imap: ProtocolOutcomeSchema.optional(),
    smtp: ProtocolOutcomeSchema.optional(),
  })
  .openapi('LastTest');

export const SettingsViewSchema = z
  .object({
    accountId: z.string(),
    email: z.string(),
    imap: MailServerSchema,
    smtp: MailServerSchema,
    auth: z.union([
      z.object({ method: z.literal('password'), hasPassword: z.boolean(), hasSmtpPassword: z.boolean() }),
      z.object({
        method: z.literal('oauth'),
        provider: OAuthProviderSchema,
        account: z.string().openapi({ description: 'The signed-in account whose token opens the mailbox' }),
        connected: z.boolean(),
        email: z.string().optional(),
        needsReauthorization: z.boolean(),
      }),
    ]),
    fromName: z.string().nullable(),
    checkIntervalSeconds: z.number(),
    deleteAfterProcessing: z.boolean(),
    allowUntrustedCertificates: z.boolean(),
    status: AccountStatusSchema,
    lastTest: orNull(LastTestSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Settings');

export type SettingsView = z.infer<typeof SettingsViewSchema>;
export type LastTest = z.infer<typeof LastTestSchema>;

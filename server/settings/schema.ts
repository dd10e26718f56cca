import { z } from '@hono/zod-openapi';

/** Shapes of the settings contract (DESIGN.md), shared by the routes, the test endpoint and the widget's types. */

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;
const IPV6_LITERAL = /^\[?[0-9a-f:.]+\]?$/i;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const SecuritySchema = z
  .enum(['tls', 'starttls', 'none'], { error: 'Security must be "tls", "starttls" or "none".' })
  .openapi({ description: 'tls = implicit TLS; starttls = upgrade after connecting; none = plaintext' });

export const HostSchema = z
  .string({ error: 'Enter the server name, for example imap.example.com.' })
  .trim()
  .min(1, 'Enter the server name, for example imap.example.com.')
  .max(253, 'A server name is at most 253 characters long.')
  .refine((host) => HOSTNAME.test(host) || (host.includes(':') && IPV6_LITERAL.test(host)), {
    message: 'This is not a valid server name; use something like imap.example.com.',
  })
  .transform((host) => host.toLowerCase().replace(/\.$/, ''));

export const PortSchema = z
  .number({ error: 'The port must be a whole number from 1 to 65535.' })
  .int('The port must be a whole number from 1 to 65535.')
  .min(1, 'The port must be a whole number from 1 to 65535.')
  .max(65535, 'The port must be a whole number from 1 to 65535.');

export const UsernameSchema = z
  .string({ error: 'Enter the user name for this server (usually the full email address).' })
  .min(1, 'Enter the user name for this server (usually the full email address).')
  .max(320, 'The user name is at most 320 characters long.')
  .refine((value) => !CONTROL_CHARS.test(value), 'The user name cannot contain control characters.');

export const MailServerSchema = z
  .strictObject({ host: HostSchema, port: PortSchema, security: SecuritySchema, username: UsernameSchema })
  .openapi('MailServer');

const SecretSchema = (what: string) =>
  z
    .string({ error: `Enter the ${what}.` })
    .min(1, `Enter the ${what}.`)
    .max(4096, `The ${what} is at most 4096 characters long.`)
    .refine((value) => !/[\r\n\u0000]/.test(value), `The ${what} cannot contain line breaks.`);

export const EmailSchema = z
  .string({ error: 'Enter an email address.' })
  .trim()
  .min(3, 'Enter an email address such as support@example.com.')
  .max(320, 'An email address is at most 320 characters long.')
  .refine((value) => /^[^\s@]+@[^\s@]+$/.test(value) && !CONTROL_CHARS.test(value), {
    message: 'Enter an email address such as support@example.com.',
  });

export const PasswordAuthSchema = z.strictObject({
  method: z.literal('password'),
  password: SecretSchema('password').optional(),
  smtpPassword: SecretSchema('SMTP password').optional(),
});

export const OAuthAuthSchema = z.strictObject({
  method: z.literal('oauth'),
  provider: z.enum(['google', 'microsoft'], { error: 'The OAuth provider must be "google" or "microsoft".' }),
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

export type MailServer = z.infer<typeof MailServerSchema>;
export type SettingsInput = z.infer<typeof SettingsInputSchema>;
export type Security = z.infer<typeof SecuritySchema>;

export const TestPhaseSchema = z.object({ name: z.string(), ok: z.boolean(), ms: z.number() });
export const TestErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
  steps: z.array(z.string()),
});
export const ProtocolResultSchema = z
  .object({ ok: z.boolean(), phases: z.array(TestPhaseSchema), error: TestErrorSchema.optional() })
  .openapi('ProtocolTestResult');
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
        provider: z.enum(['google', 'microsoft']),
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
    status: z.enum(['untested', 'connected', 'failing', 'needs_reauth']),
    lastTest: LastTestSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Settings');

export type SettingsView = z.infer<typeof SettingsViewSchema>;
export type LastTest = z.infer<typeof LastTestSchema>;

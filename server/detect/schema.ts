import { z } from '@hono/zod-openapi';

const MailServerSchema = z
  .object({
    host: z.string(),
    port: z.number().int(),
    security: z.enum(['tls', 'starttls', 'none']),
    username: z.string(),
  })
  .openapi('DetectedServer');

const ProviderSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    oauth: z.enum(['google', 'microsoft']).nullable(),
    supported: z.boolean(),
  })
  .openapi('DetectedProvider');

const SourceSchema = z.enum(['builtin', 'mx', 'autoconfig', 'srv', 'ispdb', 'guess', 'none']);

/** `POST /detect` body. The address is checked by `normaliseEmail`, so every bad address is INVALID_EMAIL. */
export const DetectRequestSchema = z
  .object({ email: z.unknown().openapi({ type: 'string', example: 'support@company.com' }) })
  .openapi('DetectRequest');

/** The detection result (contract in DESIGN.md), for the OpenAPI document. */
export const DetectionResultSchema = z
  .object({
    email: z.string(),
    domain: z.string(),
    provider: ProviderSchema.nullable(),
    imap: MailServerSchema.nullable(),
    smtp: MailServerSchema.nullable(),
    source: SourceSchema,
    confidence: z.enum(['high', 'medium', 'low']),
    authMethods: z.array(z.enum(['oauth', 'password'])),
    notes: z.array(z.string()),
    alternatives: z.array(
      z.object({
        source: SourceSchema.exclude(['none']),
        imap: MailServerSchema.nullable(),
        smtp: MailServerSchema.nullable(),
        provider: ProviderSchema.optional(),
      }),
    ),
    elapsedMs: z.number(),
  })
  .openapi('DetectionResult');

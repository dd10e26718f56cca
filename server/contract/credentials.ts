import { z } from '@hono/zod-openapi';

/**
 * `POST /accounts/:accountId/credentials` (DESIGN.md "Details"): options shaped for imapflow
 * (`imap`) and nodemailer (`smtp`), with the password or a fresh access token.
 */

const PasswordLogin = z.object({ user: z.string(), pass: z.string() });
const TokenLogin = z.object({ user: z.string(), accessToken: z.string() });
const NodemailerOAuthLogin = z.object({ type: z.literal('OAuth2'), user: z.string(), accessToken: z.string() });

/** Present only when the account chose to accept an untrusted certificate. */
const UntrustedTls = z
  .object({ rejectUnauthorized: z.literal(false) })
  .openapi({ description: 'The account accepts an untrusted certificate (allowUntrustedCertificates)' });

export const HostCredentialsSchema = z
  .object({
    imap: z.object({
      host: z.string(),
      port: z.number(),
      secure: z.boolean(),
      doSTARTTLS: z.boolean().optional(),
      servername: z.string().optional(),
      auth: z.union([PasswordLogin, TokenLogin]),
      tls: UntrustedTls.optional(),
    }),
    smtp: z.object({
      host: z.string(),
      port: z.number(),
      secure: z.boolean(),
      requireTLS: z.boolean().optional(),
      servername: z.string().optional().openapi({ description: 'TLS name when host is the checked address (nodemailer servername)' }),
      auth: z.union([PasswordLogin, NodemailerOAuthLogin]),
      tls: UntrustedTls.optional(),
    }),
    expiresAt: z.string().optional().openapi({ description: 'When the access token expires (OAuth only), ISO 8601' }),
  })
  .openapi('HostCredentials');

export type HostCredentials = z.infer<typeof HostCredentialsSchema>;

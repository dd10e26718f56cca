import { z } from '@hono/zod-openapi';
import { OAUTH_PROVIDERS, SECURITY_MODES } from './codes.js';
import { CONTROL_CHARS } from './text.js';
import { normaliseHost } from '../net/host.js';

export const SecuritySchema = z
  .enum(SECURITY_MODES, { error: 'Security must be "tls", "starttls" or "none".' })
  .openapi({ description: 'tls = implicit TLS; starttls = upgrade after connecting; none = plaintext' });

export const OAuthProviderSchema = z.enum(OAUTH_PROVIDERS, { error: 'The OAuth provider must be "google" or "microsoft".' });

export const HostSchema = z
  .string({ error: 'Enter the server name, for example imap.example.com.' })
  .trim()
  .min(1, 'Enter the server name, for example imap.example.com.')
  .max(253, 'A server name is at most 253 characters long.')
  // The one normal form of a host (lower case, IDN → punycode, no trailing dot, canonical IP):
  // `imap.bücher.test` is accepted and saved as `imap.xn--bcher-kva.test`.
  .refine((host) => normaliseHost(host) !== undefined, {
    message: 'This is not a valid server name; use something like imap.example.com.',
  })
  .transform((host) => normaliseHost(host)!);

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

/** One IMAP or SMTP server as a request names it (checked) and as an answer shows it. */
export const MailServerSchema = z
  .strictObject({ host: HostSchema, port: PortSchema, security: SecuritySchema, username: UsernameSchema })
  .openapi('MailServer');

export type MailServer = z.infer<typeof MailServerSchema>;

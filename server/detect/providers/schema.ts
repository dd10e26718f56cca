import { z } from 'zod';
import { OAUTH_PROVIDERS } from '../../contract/codes.js';

/** A DNS host name: 2+ labels of letters, digits and inner hyphens, lower-case, at most 253 characters. */
const HOST_NAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/** Host names in the data may carry a `{region}` placeholder, filled in from the MX host. */
export const REGION_PLACEHOLDER = '{region}';
/** A region value as it appears in an MX host (`eu-west-1`, `us-east-1`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Whether `host` is a valid lower-case DNS name (after filling any `{region}` with a sample). */
export function isValidHostName(host: string): boolean {
  return HOST_NAME.test(host.replaceAll(REGION_PLACEHOLDER, 'eu-west-1'));
}

const HostSchema = z.string().refine(isValidHostName, { message: 'not a valid lower-case host name' });

export const ServerSpecSchema = z.strictObject({
  host: HostSchema,
  port: z.number().int().min(1).max(65535),
  security: z.enum(['tls', 'starttls']),
  username: z.enum(['email', 'localpart']),
});

const DomainSchema = z.string().refine((d) => HOST_NAME.test(d), { message: 'not a lower-case punycode domain' });

const SourceSchema = z.string().refine((s) => /^(https:\/\/\S+|(ispdb|fairemail|deltachat|mailcore2|k9):\S+)$/.test(s), {
  message: 'source must be an https URL or <list>:<file>[@commit] (ispdb, fairemail, deltachat, mailcore2, k9)',
});

const DateSchema = z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'a date as YYYY-MM-DD (or YYYY-MM)');

/** Where one entry's facts come from and how old they are (written by scripts/providers/import.ts). */
const ProvenanceSchema = z.strictObject({ source: z.union([SourceSchema, z.literal('curated')]), date: DateSchema });

/** What a provider accepts today for IMAP/SMTP sign-in, with the page that says so and its date. */
const AcceptsSchema = z.strictObject({
  methods: z.array(z.enum(['oauth', 'password'])).min(1),
  source: z.url({ protocol: /^https$/ }),
  date: DateSchema,
  /** When the claim was last checked against the source. */
  checked: DateSchema,
});

export const ProviderEntrySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
    name: z.string().min(1),
    domains: z.array(DomainSchema),
    imap: ServerSpecSchema.nullable(),
    smtp: ServerSpecSchema.nullable(),
    oauth: z.enum(OAUTH_PROVIDERS).nullable(),
    supported: z.boolean(),
    notes: z.array(z.string().min(10).regex(/[.!?)]$/, 'a note is a full sentence')),
    hints: z.strictObject({
      appPassword: z.boolean().optional(),
      enableImap: z.boolean().optional(),
      oauthOnly: z.boolean().optional(),
      helpUrl: z.url({ protocol: /^https$/ }).optional(),
    }),
    alternatives: z
      .strictObject({ imap: z.array(ServerSpecSchema).optional(), smtp: z.array(ServerSpecSchema).optional() })
      .optional(),
    source: z.union([SourceSchema, z.array(SourceSchema).min(1)]),
    provenance: z.array(ProvenanceSchema).min(1).optional(),
    accepts: AcceptsSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.oauth && !p.accepts) {
      ctx.addIssue({ code: 'custom', message: 'an OAuth provider says what it accepts today (accepts: methods, source, date)' });
    }
    if (p.accepts && (p.hints.oauthOnly ?? false) !== (p.accepts.methods.length === 1 && p.accepts.methods[0] === 'oauth')) {
      ctx.addIssue({ code: 'custom', message: 'hints.oauthOnly must agree with accepts.methods' });
    }
    if (p.accepts?.methods.includes('oauth') && !p.oauth) {
      ctx.addIssue({ code: 'custom', message: 'accepts names oauth but the provider has no OAuth issuer' });
    }
    if (p.supported && (!p.imap || !p.smtp)) {
      ctx.addIssue({ code: 'custom', message: 'a supported provider needs both imap and smtp' });
    }
    if (!p.supported && (p.imap || p.smtp || p.notes.length === 0)) {
      ctx.addIssue({ code: 'custom', message: 'an unsupported provider has null imap/smtp and a note saying why' });
    }
  });

export const MxPatternSchema = z
  .strictObject({
    /** MX host suffix (a parent domain of the MX host, from the MX host minus its first label up to its registrable domain). */
    suffix: DomainSchema.optional(),
    /** Regular expression over the whole MX host, for hosts that carry a region; group `region` is captured. */
    regex: z.string().optional(),
    provider: z.string(),
    forwardingOnly: z.boolean().optional(),
    region: z.string().optional(),
    source: z.union([SourceSchema, z.array(SourceSchema).min(1)]),
  })
  .refine((p) => (p.suffix === undefined) !== (p.regex === undefined), { message: 'exactly one of suffix or regex' });

export const ProvidersFileSchema = z.strictObject({ providers: z.array(ProviderEntrySchema) });
export const MxPatternsFileSchema = z.strictObject({ patterns: z.array(MxPatternSchema) });

export type MxPattern = z.infer<typeof MxPatternSchema>;

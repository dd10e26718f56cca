import { z } from '@hono/zod-openapi';
import { OAuthProviderSchema, SecuritySchema } from './mail-server.js';
import { orNull } from './or-null.js';

/** `POST /detect` (DESIGN.md "Detection result"). */

/** The sources detection runs, best first. */
export const DETECTION_SOURCES = ['builtin', 'mx', 'autoconfig', 'srv', 'ispdb', 'guess'] as const;
export type SourceName = (typeof DETECTION_SOURCES)[number];
/** Where a detected configuration came from; `none` when nothing was found. */
export type DetectionSource = SourceName | 'none';
export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** A detected server: the username is already filled in for the address. */
export const DetectedServerSchema = z
  .object({ host: z.string(), port: z.number().int(), security: SecuritySchema, username: z.string() })
  .openapi('DetectedServer');

export const DetectedProviderSchema = z
  .object({ id: z.string(), name: z.string(), oauth: OAuthProviderSchema.nullable(), supported: z.boolean() })
  .openapi('DetectedProvider');

const SourceSchema = z.enum([...DETECTION_SOURCES, 'none']);
const FoundSourceSchema = z.enum(DETECTION_SOURCES);

/** A runner-up configuration from a lower-ranked source. */
export const DetectionAlternativeSchema = z.object({
  source: FoundSourceSchema,
  imap: orNull(DetectedServerSchema),
  smtp: orNull(DetectedServerSchema),
  provider: DetectedProviderSchema.optional(),
});

/** `POST /detect` body. The address is checked by `normaliseEmail`, so every bad address is INVALID_EMAIL. */
export const DetectRequestSchema = z
  .object({ email: z.unknown().openapi({ type: 'string', example: 'support@company.com' }) })
  .openapi('DetectRequest');

export const DetectionResultSchema = z
  .object({
    email: z.string(),
    domain: z.string(),
    provider: orNull(DetectedProviderSchema),
    imap: orNull(DetectedServerSchema),
    smtp: orNull(DetectedServerSchema),
    source: SourceSchema,
    confidence: z.enum(CONFIDENCES),
    authMethods: z.array(z.enum(['oauth', 'password'])),
    notes: z.array(z.string()),
    alternatives: z.array(DetectionAlternativeSchema),
    elapsedMs: z.number(),
  })
  .openapi('DetectionResult');

export type DetectedServer = z.infer<typeof DetectedServerSchema>;
export type DetectedProvider = z.infer<typeof DetectedProviderSchema>;
export type DetectionAlternative = z.infer<typeof DetectionAlternativeSchema>;
export type DetectionResult = z.infer<typeof DetectionResultSchema>;

/** Progress of one detection, streamed to the widget as server-sent events. */
export type DetectionProgress =
  | { source: SourceName; status: 'start' }
  | { source: SourceName; status: 'end'; found: boolean; ms: number; error?: string };

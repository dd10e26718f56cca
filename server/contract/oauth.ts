import { z } from '@hono/zod-openapi';
import { OAUTH_FLOW_STATES } from './codes.js';
import { EmailSchema } from './email.js';

/** The OAuth sign-in routes (DESIGN.md "HTTP API"): start, poll the flow, providers offered. */

export const OAuthStartInputSchema = z
  .strictObject({
    email: EmailSchema.optional().openapi({ description: 'Sent to the provider as login_hint' }),
    returnUrl: z
      .string({ error: 'returnUrl must be a URL.' })
      .max(2048, 'returnUrl is at most 2048 characters long.')
      .optional()
      .openapi({ description: 'Redirect mode (popup blocked): where the callback sends the browser back; must be on the session origin' }),
  })
  .openapi('OAuthStart');

export const OAuthStartedSchema = z.object({ authorizationUrl: z.string(), flowId: z.string() }).openapi('OAuthStarted');

export const OAuthFlowStatusSchema = z
  .object({
    status: z.enum(OAUTH_FLOW_STATES),
    email: z.string().optional(),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        steps: z.array(z.string()).optional().openapi({ description: 'What to do, when the provider said why (AADSTS codes, admin_policy_enforced…)' }),
      })
      .optional(),
  })
  .openapi('OAuthFlowStatus');

export const OAuthProvidersSchema = z
  .object({ google: z.object({ configured: z.boolean() }), microsoft: z.object({ configured: z.boolean() }) })
  .openapi('OAuthProviders');

export type OAuthStartInput = z.infer<typeof OAuthStartInputSchema>;
export type OAuthStarted = z.infer<typeof OAuthStartedSchema>;
export type OAuthFlowStatus = z.infer<typeof OAuthFlowStatusSchema>;
export type OAuthProviders = z.infer<typeof OAuthProvidersSchema>;

import { z } from '@hono/zod-openapi';
import { ACCOUNT_STATUSES, OAUTH_PROVIDERS, PROTOCOLS } from './codes.js';
import { LastTestSchema } from './settings.js';
import { orNull } from './or-null.js';

/** Account events for the host (DESIGN.md "Account events for the host"): the webhook body and `GET /accounts/:id/events`. */

export const ACCOUNT_EVENT_TYPES = ['account.connected', 'account.updated', 'account.failing', 'account.needs_reauth', 'account.disconnected'] as const;
export type AccountEventType = (typeof ACCOUNT_EVENT_TYPES)[number];

/** What happened to cause an event. */
export const ACCOUNT_CHANGE_CAUSES = ['settings.saved', 'test.recorded', 'oauth.connected', 'oauth.reauth_required', 'account.deleted'] as const;
export type AccountChangeCause = (typeof ACCOUNT_CHANGE_CAUSES)[number];


export const AccountEventDataSchema = z
  .object({
    accountId: z.string(),
    email: z.string(),
    status: z.enum([...ACCOUNT_STATUSES, 'disconnected'] as const),
    previousStatus: z.enum(ACCOUNT_STATUSES).nullable().openapi({ description: 'null when the account had no saved settings before' }),
    cause: z.enum(ACCOUNT_CHANGE_CAUSES),
    authMethod: z.enum(['password', 'oauth']),
    provider: z.enum(OAUTH_PROVIDERS).optional(),
    imap: z.object({ host: z.string(), port: z.number() }),
    smtp: z.object({ host: z.string(), port: z.number() }),
    lastTest: orNull(LastTestSchema).openapi({ description: 'The latest test of exactly the saved settings' }),
    failures: z
      .array(z.object({ protocol: z.enum(PROTOCOLS), host: z.string(), code: z.string().optional(), at: z.string().optional() }))
      .optional()
      .openapi({ description: 'account.failing: which protocol failed, with which error code, when' }),
    reauthorization: z
      .object({ provider: z.enum(OAUTH_PROVIDERS), account: z.string().optional(), reason: z.string().optional(), since: z.string() })
      .optional()
      .openapi({ description: 'account.needs_reauth: the sign-in the provider no longer accepts' }),
    changed: z.array(z.string()).optional().openapi({ description: 'account.updated: the settings fields that changed (names only)' }),
  })
  .openapi('AccountEventData');

/** The JSON body POSTed to `EMAIL_WIZARD_WEBHOOK_URL`. Never holds a secret. */
export const AccountEventBodySchema = z
  .object({
    type: z.enum(ACCOUNT_EVENT_TYPES),
    timestamp: z.string().openapi({ description: 'ISO 8601 time of the change' }),
    data: AccountEventDataSchema,
  })
  .openapi('AccountEvent');
export type AccountEventBody = z.infer<typeof AccountEventBodySchema>;
export type AccountEventData = z.infer<typeof AccountEventDataSchema>;

export const EVENT_DELIVERY_STATES = ['pending', 'delivered', 'dead'] as const;

export const EventDeliverySchema = z
  .object({
    state: z.enum(EVENT_DELIVERY_STATES).openapi({ description: 'dead: retried for 24 hours without a 2xx answer' }),
    attempts: z.number().int(),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable().openapi({ description: 'HTTP status of the last answer; null when none came' }),
    lastError: z.string().nullable().openapi({ description: 'Why the last attempt got no answer (timeout, ECONNREFUSED…)' }),
    nextAttemptAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('EventDelivery');

export const AccountEventListSchema = z
  .object({
    events: z.array(
      z.object({ id: z.string().openapi({ description: 'The webhook-id header' }), type: z.enum(ACCOUNT_EVENT_TYPES), timestamp: z.string(), data: AccountEventDataSchema, delivery: EventDeliverySchema }),
    ),
  })
  .openapi('AccountEventList');
export type AccountEventList = z.infer<typeof AccountEventListSchema>;

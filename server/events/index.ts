/**
 * Account events for the host (DESIGN.md "Account events for the host"): the recorder that writes
 * them in the transaction of the change, the outbox table, and the sender that POSTs them to
 * `EMAIL_WIZARD_WEBHOOK_URL` signed the Standard Webhooks way.
 */
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { DatabaseHandle } from '../store/connect.js';
import { EVENT_RETENTION_MS, Outbox } from './outbox.js';
import { AccountEventRecorder } from './recorder.js';
import { WebhookSender, type WebhookSenderOptions } from './sender.js';
import { eventView } from './view.js';

export { changeAccount, type AccountChanges } from '../store/changes.js';
export { AccountEventRecorder } from './recorder.js';
export { Outbox, EVENT_RETENTION_MS } from './outbox.js';
export { WebhookSender, type WebhookSenderOptions } from './sender.js';
export { webhookSigner } from './signing.js';
export { retryDelayMs, nextAttemptAt, RETRY_HORIZON_MS } from './retry.js';
export { eventView } from './view.js';

export interface AccountEvents {
  recorder: AccountEventRecorder;
  outbox: Outbox;
  /** Undefined when no webhook URL is configured. */
  sender?: WebhookSender;
  /** An account's recent events with their delivery state, newest first. */
  list(accountId: string, limit?: number): Promise<ReturnType<typeof eventView>[]>;
  /** The retention job's rule for `account_events` (server/store/retention.ts): finished events kept 30 days. */
  retentionRule: { table: 'account_events'; description: string; defaultMs: number; prune(before: number): Promise<number> };
  /** Starts the sender (if any); returns what stops it. */
  start(): () => Promise<void>;
}

export interface AccountEventsOptions {
  config: Pick<Config, 'webhook'>;
  database: DatabaseHandle;
  logger: Logger;
  /** Sender tuning (tests shorten the timeout and the poll). */
  senderOptions?: Partial<Pick<WebhookSenderOptions, 'timeoutMs' | 'pollIntervalMs' | 'leaseMs' | 'horizonMs' | 'now' | 'random'>>;
}

/**
 * Wires account events from the configuration: without `config.webhook` changes still run in
 * their transactions but no event is written or sent.
 *
 * @example
 * const events = createAccountEvents({ config, database, logger });
 * const settings = new SettingsService({ …, events: events.recorder });
 * services.onClose.push(events.start());
 */
export function createAccountEvents(deps: AccountEventsOptions): AccountEvents {
  const { config, database, logger } = deps;
  const outbox = new Outbox(database.db, database.dialect);
  const webhook = config.webhook;
  const sender = webhook
    ? new WebhookSender({ outbox, ...webhook, logger: logger.child({ component: 'webhooks' }), ...deps.senderOptions })
    : undefined;
  const recorder = new AccountEventRecorder({ database, outbox, enabled: Boolean(webhook), onRecorded: () => sender?.nudge() });
  return {
    recorder,
    outbox,
    sender,
    list: async (accountId, limit = 50) => (await outbox.listForAccount(accountId, limit)).map(eventView),
    retentionRule: {
      table: 'account_events',
      description: 'webhook events, by when they were delivered or given up (pending ones are never pruned)',
      defaultMs: EVENT_RETENTION_MS,
      prune: (before) => outbox.prune(before),
    },
    start() {
      sender?.start();
      return async () => sender?.stop();
    },
  };
}

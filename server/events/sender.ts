import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import type { AccountEventRow } from '../store/database.js';
import type { AttemptOutcome, Outbox } from './outbox.js';
import { nextAttemptAt, RETRY_HORIZON_MS } from './retry.js';
import { webhookSigner } from './signing.js';

export interface WebhookSenderOptions {
  outbox: Outbox;
  url: string;
  /** `whsec_<base64>` */
  secret: string;
  retryDelaysSeconds: readonly number[];
  logger: Logger;
  /** An attempt without an answer within this is a failure (default 10 s). */
  timeoutMs?: number;
  /** How often the outbox is looked at when nothing woke the sender (default 1 s). */
  pollIntervalMs?: number;
  /** How long a claimed event stays with this sender before another may take it (default timeout + 15 s). */
  leaseMs?: number;
  /** Events per claim (default 10), sent in parallel. */
  batchSize?: number;
  /** Retry for at least this long after an event was written (default 24 h). */
  horizonMs?: number;
  now?: () => number;
  random?: () => number;
}

const DEFAULTS = { timeoutMs: 10_000, pollIntervalMs: 1000, batchSize: 10, horizonMs: RETRY_HORIZON_MS };

/**
 * Delivers the outbox to the host's webhook URL: at least once, signed, with the same
 * `webhook-id` on every attempt, retrying failures on the configured schedule for 24 hours.
 * Each instance runs one; the outbox's leases make sure one of them sends a given event.
 *
 * @example
 * const sender = new WebhookSender({ outbox, url, secret, retryDelaysSeconds: [5, 300], logger });
 * sender.start();
 * sender.nudge(); // after a commit that wrote events
 * await sender.stop();
 */
export class WebhookSender {
  private readonly options: Required<WebhookSenderOptions>;
  private readonly owner = `sender:${randomUUID()}`;
  private readonly sign: ReturnType<typeof webhookSigner>;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private soonestRetry = Infinity;
  private nudged = false;

  constructor(options: WebhookSenderOptions) {
    this.options = { ...DEFAULTS, now: Date.now, random: Math.random, leaseMs: (options.timeoutMs ?? DEFAULTS.timeoutMs) + 15_000, ...options };
    this.sign = webhookSigner(options.secret);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Looks at the outbox now instead of at the next poll. */
  nudge(): void {
    this.nudged = true; // remembered if the loop is busy now: the next sleep is skipped
    this.wake?.();
  }

  /** Stops polling; attempts in flight are abandoned and their events given back for the next sender. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
  }

  /** Claims one batch of due events and attempts each; returns how many were attempted. */
  async runOnce(): Promise<number> {
    const { outbox, batchSize, leaseMs } = this.options;
    const rows = await outbox.claimDue(this.owner, this.options.now(), leaseMs, batchSize);
    await Promise.all(rows.map((row) => this.attempt(row)));
    return rows.length;
  }

  private async run(): Promise<void> {
    const log = this.options.logger;
    while (!this.stopping.signal.aborted) {
      let attempted = 0;
      try {
        attempted = await this.runOnce();
      } catch (error) {
        log.warn('webhook outbox not readable for now', { error });
      }
      if (attempted < this.options.batchSize) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    if (this.stopping.signal.aborted || this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    const now = this.options.now();
    const wait = Math.max(0, Math.min(this.options.pollIntervalMs, this.soonestRetry - now));
    if (this.soonestRetry <= now + wait) this.soonestRetry = Infinity;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.nudged = false;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.wake = done;
    });
  }

  private async attempt(row: AccountEventRow): Promise<void> {
    const { outbox, url, timeoutMs, logger } = this.options;
    const at = this.options.now();
    const outcome: AttemptOutcome = { at, settledAt: at, status: null, error: null };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'email-config-wizard-webhooks/1', ...this.sign(row.id, new Date(at), row.payload) },
        body: row.payload,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]),
      });
      outcome.status = response.status;
      await response.body?.cancel().catch(() => undefined);
    } catch (error) {
      if (this.stopping.signal.aborted) {
        await outbox.release(row.id, this.owner);
        return;
      }
      outcome.error = describeFailure(error);
    }
    outcome.settledAt = this.options.now();
    const fields = { eventId: row.id, type: row.type, accountId: row.account_id, attempt: row.attempts + 1 };
    if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
      await outbox.markDelivered(row.id, outcome);
      logger.info('webhook delivered', { ...fields, status: outcome.status });
      return;
    }
    const next = nextAttemptAt({
      attempt: row.attempts + 1,
      createdAt: row.created_at,
      now: outcome.settledAt,
      delaysSeconds: this.options.retryDelaysSeconds,
      horizonMs: this.options.horizonMs,
      random: this.options.random,
    });
    await outbox.markFailed(row.id, this.owner, outcome, next);
    if (next === undefined) {
      logger.error('webhook event given up after retrying for the whole horizon', { ...fields, status: outcome.status, error: outcome.error });
      return;
    }
    this.soonestRetry = Math.min(this.soonestRetry, next);
    logger.warn('webhook delivery failed; will retry', { ...fields, status: outcome.status, error: outcome.error, nextAttemptAt: new Date(next).toISOString() });
  }
}

/** A short reason for an attempt without an answer: `timeout`, a socket error code, or the message. */
function describeFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

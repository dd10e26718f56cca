import type { Logger } from '../log/index.js';

/** How long one table keeps its rows, and how to delete the older ones. */
export interface RetentionRule {
  /** The table's name, as `EMAIL_WIZARD_RETENTION` names it (`rate_limits=48`). */
  table: string;
  /** What the rule keeps, for the README and the logs ("counters whose window began…"). */
  description: string;
  /** How long rows are kept when the operator says nothing. */
  defaultMs: number;
  /**
   * Deletes the rows that ended before `before` (epoch ms) and says how many went. Work in
   * batches through an index: a prune must never hold the database for long.
   */
  prune(before: number): Promise<number>;
}

export interface RetentionOptions {
  logger: Logger;
  /** Per-table overrides from `EMAIL_WIZARD_RETENTION`, in milliseconds. */
  overrides?: ReadonlyMap<string, number>;
  /** How often the job runs (default every 10 minutes). */
  intervalMs?: number;
  now?: () => number;
}

export const DEFAULT_RETENTION_INTERVAL_MS = 10 * 60_000;

/**
 * The one retention job: every table that grows with traffic registers a rule, and the job
 * deletes what each rule no longer keeps, every `intervalMs` (one prune at a time, never
 * overlapping; a failing rule is logged and the others still run). Several instances may run it
 * at once: deleting what is already gone is harmless.
 *
 * @example
 * services.retention.register({
 *   table: 'account_events',
 *   description: 'delivered or dead webhook events',
 *   defaultMs: 7 * 86_400_000,
 *   prune: (before) => outbox.prune(before),
 * });
 */
export class Retention {
  private readonly rules = new Map<string, RetentionRule>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<Record<string, number>> | undefined;

  constructor(private readonly options: RetentionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Adds a table's rule; registering one table twice is a programming error. */
  register(rule: RetentionRule): void {
    if (this.rules.has(rule.table)) throw new Error(`A retention rule for ${rule.table} is registered already.`);
    this.rules.set(rule.table, rule);
  }

  /** The rules with the retention in force for each (override or default), for the README and tests. */
  describe(): Array<{ table: string; description: string; keepMs: number }> {
    return [...this.rules.values()].map((rule) => ({ table: rule.table, description: rule.description, keepMs: this.keepMs(rule) }));
  }

  /** Runs every rule once now; concurrent calls share one run. Returns rows deleted per table. */
  runOnce(): Promise<Record<string, number>> {
    this.current ??= this.run().finally(() => (this.current = undefined));
    return this.current;
  }

  /** Starts the periodic job (first run after one interval); returns the function that stops it. */
  start(): () => Promise<void> {
    const intervalMs = this.options.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
    return async () => {
      clearInterval(this.timer);
      await this.current?.catch(() => undefined);
    };
  }

  private keepMs(rule: RetentionRule): number {
    return this.options.overrides?.get(rule.table) ?? rule.defaultMs;
  }

  private async run(): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    for (const rule of this.rules.values()) {
      try {
        deleted[rule.table] = await rule.prune(this.now() - this.keepMs(rule));
      } catch (error) {
        this.options.logger.error('retention prune failed', { table: rule.table, error });
      }
    }
    const total = Object.values(deleted).reduce((sum, count) => sum + count, 0);
    if (total > 0) this.options.logger.info('retention pruned old rows', { deleted });
    return deleted;
  }
}

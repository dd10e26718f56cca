import { setMaxListeners } from 'node:events';
import type { Logger } from '../log/index.js';
import type { RefreshSchedule } from './refresh-schedule.js';
import type { TokenService } from './token-service.js';

export interface RefresherOptions {
  tokens: TokenService;
  schedule: RefreshSchedule;
  logger: Logger;
  /** Time between rounds (default 60 s). */
  intervalMs?: number;
  /** The first round starts this soon after start, so a restart after an outage renews at once (default 2–3 s). */
  firstRoundDelayMs?: number;
  /** Schedule rows claimed per statement (default 8: a couple of seconds of budget at 10/s). */
  batchSize?: number;
  /** Renewals of one batch in flight at once (default 4; the token service's cap applies too). */
  concurrency?: number;
  /** How long a claimed row stays hidden from other claimers (default 2 minutes). */
  claimLeaseMs?: number;
  /** How long `stop()` waits for renewals in flight before it returns anyway (default 2 s). */
  stopGraceMs?: number;
  now?: () => number;
}

export interface Refresher {
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The background refresher. Each round claims small batches of due schedule rows (oldest first;
 * the claim and its lease are one statement, so instances never claim the same row) and hands
 * each to the token service, which re-checks the credential and renews it through the shared
 * paced path at background priority. Only tokens hosts use are due ahead, plus the keep-alive
 * Microsoft grants need. `stop()` ends the round between renewals: waits are aborted, and what is
 * in flight gets `stopGraceMs` before `stop()` returns.
 *
 * @example
 * const refresher = startRefresher({ tokens, schedule, logger });
 * services.onClose.push(() => refresher.stop());
 */
export function startRefresher(options: RefresherOptions): Refresher {
  const { tokens, schedule, logger, intervalMs = 60_000, batchSize = 8, concurrency = 4, claimLeaseMs = 120_000 } = options;
  const stopGraceMs = options.stopGraceMs ?? 2000;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal);
  let current: Promise<void> | undefined;
  let plannedUpTo: number | undefined;

  const renewBatch = async () => {
    const claimed = await schedule.claimDue(batchSize, claimLeaseMs);
    let next = 0;
    const worker = async () => {
      while (!stopping.signal.aborted && next < claimed.length) {
        const claim = claimed[next++]!;
        await tokens.renewAhead(claim, stopping.signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
    return claimed.length;
  };

  const round = async () => {
    try {
      // New credentials get their plan (keep-alive); the first round also looks at all older ones.
      const roundStart = now();
      await schedule.backfill(plannedUpTo === undefined ? {} : { updatedSince: plannedUpTo - 5 * 60_000 });
      plannedUpTo = roundStart;
      while (!stopping.signal.aborted && (await renewBatch()) > 0);
    } catch (error) {
      if (!stopping.signal.aborted) logger.error('background token refresh round failed', { error });
    }
  };
  const runOnce = () => (current ??= round().finally(() => (current = undefined)));
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  const first = setTimeout(() => void runOnce(), options.firstRoundDelayMs ?? 2000 + Math.random() * 1000);
  first.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      clearTimeout(first);
      stopping.abort(new Error('The refresher is stopping.'));
      if (!current) return;
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise<void>((resolve) => (grace = setTimeout(resolve, stopGraceMs)))]);
      clearTimeout(grace);
    },
  };
}

import type { Logger } from '../log/index.js';
import type { CredentialStore } from './credentials.js';
import type { FlowStore } from './flows.js';
import type { TokenService } from './token-service.js';

export interface RefresherOptions {
  tokens: TokenService;
  store: CredentialStore;
  flows: FlowStore;
  logger: Logger;
  /** Time between rounds (default 60 s). */
  intervalMs?: number;
  /** Renew tokens that end within this window (default 10 minutes). */
  aheadMs?: number;
  /**
   * Refresh Microsoft credentials unused for this long (default 7 days): their refresh tokens
   * lapse after 90 days of inactivity, and each refresh issues a new one.
   */
  keepAliveMs?: number;
  /** Finished or expired flows are deleted after this (default 1 day). */
  flowRetentionMs?: number;
  now?: () => number;
}

/**
 * The background refresher: every round it renews access tokens about to expire, keeps
 * long-unused Microsoft refresh tokens alive, and deletes old OAuth flows. `stop()` waits for a
 * round in progress. Rounds share the token service's single flight and database lease, so
 * several instances can run one each.
 *
 * @example
 * const refresher = startRefresher({ tokens, store, flows, logger });
 * services.onClose.push(() => refresher.stop());
 */
export function startRefresher(options: RefresherOptions): { runOnce(): Promise<void>; stop(): Promise<void> } {
  const { tokens, store, flows, logger, intervalMs = 60_000, aheadMs = 10 * 60_000, keepAliveMs = 7 * 24 * 3600_000 } = options;
  const flowRetentionMs = options.flowRetentionMs ?? 24 * 3600_000;
  const now = options.now ?? Date.now;
  let current: Promise<void> | undefined;

  const round = async () => {
    try {
      const due = await store.dueForRefresh({ expiringBefore: now() + aheadMs, idleSince: now() - keepAliveMs, provider: 'microsoft' });
      for (const id of due) {
        try {
          await tokens.refresh(id, { force: true });
        } catch (error) {
          // Already logged and, for invalid_grant, recorded on the credential.
          logger.debug('background refresh did not renew a credential', { credentialId: id, errorCode: (error as { code?: string }).code });
        }
      }
      await flows.deleteOlderThan(now() - flowRetentionMs);
    } catch (error) {
      logger.error('background token refresh round failed', { error });
    }
  };
  const runOnce = () => (current ??= round().finally(() => (current = undefined)));
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}

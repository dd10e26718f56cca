import type { EmailSettingsRow, OAuthCredentialRow } from '../store/database.js';
import type { LastTest } from '../contract/settings.js';
import type { AccountStatus } from '../contract/codes.js';

/** What `GET /settings` says about a saved mailbox (DESIGN.md "Mailbox, signed-in account and status"). */
export type { AccountStatus };

/** One protocol's latest test of exactly the saved values. */
export interface ProtocolOutcome {
  ok: boolean;
  code?: string;
  /** ISO 8601. */
  at?: string;
}

/**
 * The status of a saved account, computed in this one place for `GET /settings`, the host's
 * settings read and account events. Pure: it reads only the row and the credential of the saved
 * signed-in account.
 *
 * The row's `last_test_json` holds, per protocol, the latest test of exactly the saved host, port,
 * security, user name and secret — `SettingsService` writes a test there only when its
 * fingerprint equals the saved values' and clears a protocol whenever one of them changes — so:
 * `needs_reauth` when the provider refused the grant (or the saved account's credential is gone),
 * `failing` when a test of the saved values failed, `connected` only when both protocols passed,
 * otherwise `untested`.
 *
 * @example
 * const status = accountStatus(row, credential); // 'connected'
 */
export function accountStatus(row: EmailSettingsRow, credential: OAuthCredentialRow | undefined): AccountStatus {
  if (row.auth_method === 'oauth' && (!credential || credential.status === 'needs_reauth')) return 'needs_reauth';
  const { imap, smtp } = savedOutcomes(row);
  if (imap?.ok === false || smtp?.ok === false) return 'failing';
  if (imap?.ok && smtp?.ok) return 'connected';
  return 'untested';
}

/** The per-protocol outcomes stored on the row (tests of exactly the saved values). */
export function savedOutcomes(row: Pick<EmailSettingsRow, 'last_test_json'>): { imap?: ProtocolOutcome; smtp?: ProtocolOutcome } {
  if (!row.last_test_json) return {};
  const stored = JSON.parse(row.last_test_json) as Partial<LastTest>;
  return { ...(stored.imap ? { imap: stored.imap } : {}), ...(stored.smtp ? { smtp: stored.smtp } : {}) };
}

/** The `lastTest` the settings show: both protocols' latest tests, `ok` only when both passed. */
export function lastTestOf(outcomes: { imap?: ProtocolOutcome; smtp?: ProtocolOutcome }): LastTest | null {
  const times = [outcomes.imap?.at, outcomes.smtp?.at].filter((at): at is string => Boolean(at)).sort();
  if (!outcomes.imap && !outcomes.smtp) return null;
  return {
    at: times.at(-1) ?? new Date(0).toISOString(),
    ok: outcomes.imap?.ok === true && outcomes.smtp?.ok === true,
    ...(outcomes.imap ? { imap: outcomes.imap } : {}),
    ...(outcomes.smtp ? { smtp: outcomes.smtp } : {}),
  };
}

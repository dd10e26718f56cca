import type { AccountChangeCause, AccountEventBody, AccountEventData, AccountEventType } from '../contract/events.js';
import type { AccountStatus } from '../settings/status.js';
import { lastTestOf, savedOutcomes } from '../settings/status.js';
import type { EmailSettingsRow } from '../store/database.js';
import type { AccountSnapshot } from './snapshot.js';

/** The event that says an account reached a status. `untested` has none of its own: it is an update. */
const STATUS_EVENT: Record<AccountStatus, AccountEventType> = {
  connected: 'account.connected',
  failing: 'account.failing',
  needs_reauth: 'account.needs_reauth',
  untested: 'account.updated',
};

/** Settings fields a host may care about, by column. Secret columns are compared, never shown. */
const FIELDS: Array<[keyof EmailSettingsRow, string]> = [
  ['email', 'email'],
  ['imap_host', 'imap.host'],
  ['imap_port', 'imap.port'],
  ['imap_security', 'imap.security'],
  ['imap_username', 'imap.username'],
  ['smtp_host', 'smtp.host'],
  ['smtp_port', 'smtp.port'],
  ['smtp_security', 'smtp.security'],
  ['smtp_username', 'smtp.username'],
  ['auth_method', 'auth.method'],
  ['oauth_provider', 'auth.provider'],
  ['oauth_account', 'auth.account'],
  ['password_enc', 'auth.password'],
  ['smtp_password_enc', 'auth.smtpPassword'],
  ['from_name', 'fromName'],
  ['check_interval_seconds', 'checkIntervalSeconds'],
  ['delete_after_processing', 'deleteAfterProcessing'],
  ['allow_untrusted_tls', 'allowUntrustedCertificates'],
];

/** The names of the settings fields that differ between two versions of a row. */
export function changedFields(before: EmailSettingsRow, after: EmailSettingsRow): string[] {
  return FIELDS.filter(([column]) => before[column] !== after[column]).map(([, name]) => name);
}

/**
 * Which events a change causes, from the account before and after it (undefined: no saved
 * settings). A status change announces the new status; a save that changed something is
 * `account.updated` as well; deleting the settings is `account.disconnected`.
 */
export function eventTypesFor(cause: AccountChangeCause, before: AccountSnapshot | undefined, after: AccountSnapshot | undefined): AccountEventType[] {
  if (!after) return before ? ['account.disconnected'] : [];
  const types = new Set<AccountEventType>();
  if (cause === 'settings.saved' && (!before || changedFields(before.row, after.row).length > 0)) types.add('account.updated');
  if (before?.status !== after.status) types.add(STATUS_EVENT[after.status]);
  return [...types];
}

/** The webhook body of one event: enough for a host to act on, and never a secret. */
export function eventBody(
  type: AccountEventType,
  cause: AccountChangeCause,
  before: AccountSnapshot | undefined,
  after: AccountSnapshot | undefined,
  at: number,
): AccountEventBody {
  const { row, credential } = (after ?? before)!;
  const outcomes = savedOutcomes(row);
  const data: AccountEventData = {
    accountId: row.account_id,
    email: row.email,
    status: after ? after.status : 'disconnected',
    previousStatus: before?.status ?? null,
    cause,
    authMethod: row.auth_method,
    ...(row.oauth_provider ? { provider: row.oauth_provider } : {}),
    imap: { host: row.imap_host, port: row.imap_port },
    smtp: { host: row.smtp_host, port: row.smtp_port },
    lastTest: lastTestOf(outcomes),
  };
  if (type === 'account.failing') {
    data.failures = (['imap', 'smtp'] as const)
      .filter((protocol) => outcomes[protocol]?.ok === false)
      .map((protocol) => ({
        protocol,
        host: protocol === 'imap' ? row.imap_host : row.smtp_host,
        ...(outcomes[protocol]?.code ? { code: outcomes[protocol].code } : {}),
        ...(outcomes[protocol]?.at ? { at: outcomes[protocol].at } : {}),
      }));
  }
  if (type === 'account.needs_reauth' && row.oauth_provider) {
    data.reauthorization = {
      provider: row.oauth_provider,
      ...(credential ? { account: credential.email } : {}),
      reason: credential?.status_reason ?? 'The signed-in account is no longer connected; sign in again.',
      since: new Date(credential?.updated_at ?? at).toISOString(),
    };
  }
  if (type === 'account.updated' && before && after) data.changed = changedFields(before.row, after.row);
  return { type, timestamp: new Date(at).toISOString(), data };
}

import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { OAuthFlowState, OAuthProvider, Security } from '../contract/codes.js';

/** Kysely's view of schema.sql. Keep the two in step: store/database.test.ts checks they match. */
export interface Database {
  schema_version: SchemaVersionTable;
  email_settings: EmailSettingsTable;
  oauth_credentials: OAuthCredentialsTable;
  oauth_flows: OAuthFlowsTable;
  connection_tests: ConnectionTestsTable;
  rate_limits: RateLimitsTable;
  audit_log: AuditLogTable;
  account_events: AccountEventsTable;
  oauth_token_pace: OAuthTokenPaceTable;
  oauth_refresh_schedule: OAuthRefreshScheduleTable;
  audit_daily_counts: AuditDailyCountsTable;
}

export type { Security };
/** The provider of a credential or flow row: the contract's `OAuthProvider`. */
export type OAuthProviderId = OAuthProvider;
/** Booleans are stored as 0/1 so one schema serves SQLite and PostgreSQL. */
export type DbBool = 0 | 1;

export interface SchemaVersionTable {
  version: number;
  applied_at: number;
}

export interface EmailSettingsTable {
  account_id: string;
  email: string;
  imap_host: string;
  imap_port: number;
  imap_security: Security;
  imap_username: string;
  smtp_host: string;
  smtp_port: number;
  smtp_security: Security;
  smtp_username: string;
  auth_method: 'password' | 'oauth';
  oauth_provider: OAuthProviderId | null;
  /** The signed-in account whose token opens the mailbox (differs from the user names for a shared mailbox). */
  oauth_account: string | null;
  password_enc: string | null;
  smtp_password_enc: string | null;
  from_name: string | null;
  check_interval_seconds: Generated<number>;
  delete_after_processing: Generated<DbBool>;
  allow_untrusted_tls: Generated<DbBool>;
  last_test_json: string | null;
  last_test_at: number | null;
  last_test_ok: DbBool | null;
  created_at: number;
  updated_at: number;
}

export interface OAuthCredentialsTable {
  id: string;
  account_id: string;
  provider: OAuthProviderId;
  email: string;
  scopes: Generated<string>;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_expires_at: number | null;
  status: Generated<'active' | 'needs_reauth'>;
  status_reason: string | null;
  refresh_lease_owner: string | null;
  refresh_lease_until: number | null;
  last_refreshed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface OAuthFlowsTable {
  id: string;
  state_hash: string;
  provider: OAuthProviderId;
  account_id: string;
  session_id: string;
  origin: string | null;
  return_url: string | null;
  login_hint: string | null;
  code_verifier_enc: string;
  status: Generated<OAuthFlowState>;
  error_code: string | null;
  error_message: string | null;
  result_email: string | null;
  credential_id: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** SHA-256 (hex) of the browser-binding cookie set when the sign-in was opened; null before. */
  browser_hash: string | null;
}

export interface ConnectionTestsTable {
  account_id: string;
  fingerprint: string;
  ok: DbBool;
  result_json: string;
  at: number;
}

export interface RateLimitsTable {
  bucket: string;
  window_start: number;
  hits: number;
}

export interface AuditLogTable {
  id: string;
  at: number;
  actor: string;
  account_id: string | null;
  action: string;
  result: 'ok' | 'error';
  detail: string | null;
  request_id: string | null;
}

/** The webhook outbox (server/events): one row per account event, with its delivery state. */
export interface AccountEventsTable {
  /** The `webhook-id`: the same on every attempt. */
  id: string;
  account_id: string;
  type: string;
  /** The exact JSON body every attempt sends. */
  payload: string;
  created_at: number;
  state: Generated<'pending' | 'delivered' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: number;
  last_attempt_at: number | null;
  /** HTTP status of the last answer; null when there was none (timeout, refused). */
  last_status: number | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  /** When it was delivered or given up (dead). */
  finished_at: number | null;
}

/** Token-endpoint pacing (server/oauth/pacing): the earliest start of the next request per provider. */
export interface OAuthTokenPaceTable {
  provider: OAuthProviderId;
  next_at: number;
}

/** When the background refresher renews a credential next (server/oauth/refresh-schedule.ts). */
export interface OAuthRefreshScheduleTable {
  credential_id: string;
  due_at: number | null;
  last_used_at: number | null;
}

/** Routine audit events counted per account, UTC day and action (server/store/audit.ts). */
export interface AuditDailyCountsTable {
  account_id: string;
  day: number;
  action: string;
  actor: string;
  count: number;
}

export type EmailSettingsRow = Selectable<EmailSettingsTable>;
export type NewEmailSettingsRow = Insertable<EmailSettingsTable>;
export type EmailSettingsUpdate = Updateable<EmailSettingsTable>;
export type OAuthCredentialRow = Selectable<OAuthCredentialsTable>;
export type OAuthFlowRow = Selectable<OAuthFlowsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type AccountEventRow = Selectable<AccountEventsTable>;

/** Every column that holds an encrypted secret: what `rotate-keys` re-encrypts. */
export const ENCRYPTED_COLUMNS = [
  { table: 'email_settings', column: 'password_enc', key: 'account_id', account: 'account_id' },
  { table: 'email_settings', column: 'smtp_password_enc', key: 'account_id', account: 'account_id' },
  { table: 'oauth_credentials', column: 'access_token_enc', key: 'id', account: 'account_id' },
  { table: 'oauth_credentials', column: 'refresh_token_enc', key: 'id', account: 'account_id' },
  { table: 'oauth_flows', column: 'code_verifier_enc', key: 'id', account: 'account_id' },
] as const;

-- email-config-wizard schema. Runs unchanged on SQLite and PostgreSQL, and applying it twice
-- is harmless (IF NOT EXISTS everywhere).
-- Conventions: identifiers are TEXT; timestamps are BIGINT milliseconds since the Unix epoch
-- (UTC); booleans are INTEGER 0/1; JSON documents are TEXT; every *_enc column holds an
-- AES-256-GCM value "v1:<key id>:<iv>:<ciphertext+tag>" bound to its account and column.
-- Versioning: this file always describes the newest schema. A change that IF NOT EXISTS cannot
-- express goes into server/store/migrations.ts as a numbered step, recorded in schema_version.

CREATE TABLE IF NOT EXISTS schema_version (
  version     INTEGER PRIMARY KEY,
  applied_at  BIGINT NOT NULL
);

-- One mailbox per host account.
CREATE TABLE IF NOT EXISTS email_settings (
  account_id               TEXT PRIMARY KEY,
  email                    TEXT NOT NULL,
  imap_host                TEXT NOT NULL,
  imap_port                INTEGER NOT NULL,
  imap_security            TEXT NOT NULL CHECK (imap_security IN ('tls', 'starttls', 'none')),
  imap_username            TEXT NOT NULL,
  smtp_host                TEXT NOT NULL,
  smtp_port                INTEGER NOT NULL,
  smtp_security            TEXT NOT NULL CHECK (smtp_security IN ('tls', 'starttls', 'none')),
  smtp_username            TEXT NOT NULL,
  auth_method              TEXT NOT NULL CHECK (auth_method IN ('password', 'oauth')),
  oauth_provider           TEXT CHECK (oauth_provider IN ('google', 'microsoft')),
  -- The signed-in account whose OAuth token opens the mailbox (imap/smtp_username): they differ
  -- for a Microsoft 365 shared mailbox. Added by migration 2.
  oauth_account            TEXT,
  password_enc             TEXT,
  smtp_password_enc        TEXT,
  from_name                TEXT,
  check_interval_seconds   INTEGER NOT NULL DEFAULT 300,
  delete_after_processing  INTEGER NOT NULL DEFAULT 0 CHECK (delete_after_processing IN (0, 1)),
  allow_untrusted_tls      INTEGER NOT NULL DEFAULT 0 CHECK (allow_untrusted_tls IN (0, 1)),
  last_test_json           TEXT,
  last_test_at             BIGINT,
  last_test_ok             INTEGER CHECK (last_test_ok IN (0, 1)),
  created_at               BIGINT NOT NULL,
  updated_at               BIGINT NOT NULL
);

-- OAuth connections, kept apart from the settings: an account may hold several.
CREATE TABLE IF NOT EXISTS oauth_credentials (
  id                       TEXT PRIMARY KEY,
  account_id               TEXT NOT NULL,
  provider                 TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
  email                    TEXT NOT NULL,
  scopes                   TEXT NOT NULL DEFAULT '',
  access_token_enc         TEXT,
  refresh_token_enc        TEXT,
  access_expires_at        BIGINT,
  status                   TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth')),
  status_reason            TEXT,
  refresh_lease_owner      TEXT,
  refresh_lease_until      BIGINT,
  last_refreshed_at        BIGINT,
  created_at               BIGINT NOT NULL,
  updated_at               BIGINT NOT NULL,
  UNIQUE (account_id, provider, email)
);
CREATE INDEX IF NOT EXISTS oauth_credentials_expiry ON oauth_credentials (status, access_expires_at);

-- Pending and finished OAuth authorisations. state is stored only as a SHA-256 hash.
CREATE TABLE IF NOT EXISTS oauth_flows (
  id                       TEXT PRIMARY KEY,
  state_hash               TEXT NOT NULL UNIQUE,
  provider                 TEXT NOT NULL CHECK (provider IN ('google', 'microsoft')),
  account_id               TEXT NOT NULL,
  session_id               TEXT NOT NULL,
  origin                   TEXT,
  return_url               TEXT,
  login_hint               TEXT,
  code_verifier_enc        TEXT NOT NULL,
  status                   TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'connected', 'failed')),
  error_code               TEXT,
  error_message            TEXT,
  result_email             TEXT,
  credential_id            TEXT,
  created_at               BIGINT NOT NULL,
  expires_at               BIGINT NOT NULL,
  consumed_at              BIGINT,
  -- SHA-256 of the secret in the first-party cookie set when the browser opened the sign-in:
  -- only that browser's callback completes the flow (RFC 9700 §4.7.1).
  browser_hash             TEXT
);
CREATE INDEX IF NOT EXISTS oauth_flows_expiry ON oauth_flows (expires_at);

-- The latest connection test per account, kept briefly so that saving the settings right after
-- a passing test records it. The fingerprint is an HMAC (keyed with the current encryption key)
-- of the servers and credentials that were tested: it tells "same settings" without storing them.
CREATE TABLE IF NOT EXISTS connection_tests (
  account_id               TEXT PRIMARY KEY,
  fingerprint              TEXT NOT NULL,
  ok                       INTEGER NOT NULL CHECK (ok IN (0, 1)),
  result_json              TEXT NOT NULL,
  at                       BIGINT NOT NULL
);

-- Fixed-window counters for rate limits shared by every server instance.
CREATE TABLE IF NOT EXISTS rate_limits (
  bucket                   TEXT PRIMARY KEY,
  window_start             BIGINT NOT NULL,
  hits                     INTEGER NOT NULL
);

-- Append-only: who did what to which account, and how it ended. Never a secret.
CREATE TABLE IF NOT EXISTS audit_log (
  id                       TEXT PRIMARY KEY,
  at                       BIGINT NOT NULL,
  actor                    TEXT NOT NULL,
  account_id               TEXT,
  action                   TEXT NOT NULL,
  result                   TEXT NOT NULL,
  detail                   TEXT,
  request_id               TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_account ON audit_log (account_id, at);

-- Account events for the host (the webhook outbox). A row is written in the same transaction as
-- the change that causes it; `payload` is the exact body every attempt sends and `id` is its
-- `webhook-id`. A sender claims due rows with a short lease (lease_owner, lease_until), so one
-- instance sends a given event; `state` ends as 'delivered' or 'dead' (retried for 24 h), and
-- finished rows are pruned after a retention (30 days, EVENT_RETENTION_MS). Never a secret.
CREATE TABLE IF NOT EXISTS account_events (
  id                       TEXT PRIMARY KEY,
  account_id               TEXT NOT NULL,
  type                     TEXT NOT NULL,
  payload                  TEXT NOT NULL,
  created_at               BIGINT NOT NULL,
  state                    TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts                 INTEGER NOT NULL DEFAULT 0,
  next_attempt_at          BIGINT NOT NULL,
  last_attempt_at          BIGINT,
  last_status              INTEGER,
  last_error               TEXT,
  lease_owner              TEXT,
  lease_until              BIGINT,
  finished_at              BIGINT
);
CREATE INDEX IF NOT EXISTS account_events_due ON account_events (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS account_events_account ON account_events (account_id, created_at);
CREATE INDEX IF NOT EXISTS account_events_finished ON account_events (finished_at);

-- Token-endpoint pacing shared by every instance (DESIGN.md "Token refresh at scale"): per
-- provider, the earliest time the next token request may start. Each request reserves a slot by
-- moving next_at on by 1/EMAIL_WIZARD_OAUTH_TOKEN_RATE s in one atomic upsert; a provider's 429
-- or 503 pushes next_at past its Retry-After for everyone.
CREATE TABLE IF NOT EXISTS oauth_token_pace (
  provider                 TEXT PRIMARY KEY,
  next_at                  BIGINT NOT NULL
);

-- When the background refresher should next renew a credential: only tokens hosts have been
-- asking for (last_used_at, written by the credentials endpoint) are renewed ahead, plus the
-- keep-alive Microsoft grants need. due_at NULL = nothing planned. The refresher claims due rows
-- in small batches ordered by due_at, moving due_at forward as its claim lease.
CREATE TABLE IF NOT EXISTS oauth_refresh_schedule (
  credential_id            TEXT PRIMARY KEY,
  due_at                   BIGINT,
  last_used_at             BIGINT
);
CREATE INDEX IF NOT EXISTS oauth_refresh_schedule_due ON oauth_refresh_schedule (due_at);
-- The refresher plans newly connected credentials each round: it looks only at recently updated rows.
CREATE INDEX IF NOT EXISTS oauth_credentials_updated ON oauth_credentials (updated_at);

-- Routine reads (the host's credentials calls) are counted per account, day and action instead
-- of one audit_log row each. day = UTC midnight in epoch ms.
CREATE TABLE IF NOT EXISTS audit_daily_counts (
  account_id               TEXT NOT NULL,
  day                      BIGINT NOT NULL,
  action                   TEXT NOT NULL,
  actor                    TEXT NOT NULL,
  count                    INTEGER NOT NULL,
  PRIMARY KEY (account_id, day, action, actor)
);
CREATE INDEX IF NOT EXISTS audit_daily_counts_day ON audit_daily_counts (day);
-- The retention job deletes old audit entries by time.
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);

-- Retention (server/store/retention.ts) deletes old rows through these indexes, in batches.
CREATE INDEX IF NOT EXISTS rate_limits_window ON rate_limits (window_start);
CREATE INDEX IF NOT EXISTS connection_tests_at ON connection_tests (at);

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { DatabaseHandle } from '../store/connect.js';
import type { Keyring } from '../crypto/keyring.js';
import type { SessionClaims, SessionTokens } from '../auth/session-tokens.js';
import type { SettingsService } from '../settings/service.js';
import type { AuditLog } from '../store/audit.js';
import type { RateLimiter } from '../store/rate-limits.js';
import type { SafeNetwork } from '../net/index.js';
import type { Detector } from '../detect/index.js';
import type { OAuthModule } from '../oauth/index.js';
import type { MailTestService } from '../mail/index.js';
import type { Retention } from '../store/retention.js';
import type { AccountEvents } from '../events/index.js';

/**
 * The capabilities a request handler may use. Built once in `createApp` and handed to every
 * route module; each capability folder adds its own service here.
 */
export interface Services {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  keyring: Keyring;
  sessions: SessionTokens;
  settings: SettingsService;
  audit: AuditLog;
  /** Fixed-window counters in the database, shared by every instance: `rateLimits.hit(bucket, limit, windowMs)`. */
  rateLimits: RateLimiter;
  /** The SSRF-safe door for every outbound connection made on a user's behalf (DNS, TCP, TLS, HTTPS). */
  net: SafeNetwork;
  /** Email address → IMAP/SMTP settings (built-in database, MX, autoconfig, SRV, ISPDB, guessing). */
  detector: Detector;
  /** OAuth sign-ins (`oauth.service`), the token service (`oauth.tokens`) and their stores. */
  oauth: OAuthModule;
  /** Real IMAP/SMTP connection tests (`POST /test`). */
  mailTests: MailTestService;
  /** Account events for the host: the recorder, the outbox and the webhook sender (server/events). */
  events: AccountEvents;
  /** The retention job: each table that grows with traffic registers how long it keeps rows. */
  retention: Retention;
  /** Background work (timers, refreshers) stopped by `close()`. */
  onClose: Array<() => Promise<void> | void>;
}

/** Hono's per-request variables. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    session: SessionClaims;
  };
}

/** The API app every route module registers on (mounted at `config.basePath` by `buildHttpApp`). */
export type ApiApp = OpenAPIHono<AppEnv>;

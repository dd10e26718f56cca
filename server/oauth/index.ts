/**
 * OAuth for Google and Microsoft: sign-in flows, encrypted credentials and the token service
 * that keeps them usable. arctic is used only inside `client.ts`.
 */
import type { Config } from '../config/index.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Logger } from '../log/index.js';
import type { AuditLog } from '../store/audit.js';
import type { DatabaseHandle } from '../store/connect.js';
import type { OAuthProviderId } from '../store/database.js';
import type { AccountChanges } from '../store/changes.js';
import { createOriginCheck } from '../auth/origins.js';
import { OAuthProviderClient } from './client.js';
import { CredentialStore } from './credentials.js';
import { FlowStore } from './flows.js';
import { providerSettings } from './providers.js';
import { startRefresher, type Refresher, type RefresherOptions } from './refresher.js';
import { RefreshSchedule } from './refresh-schedule.js';
import { TokenPace } from './pacing/index.js';
import { OAuthService } from './service.js';
import { TokenService, type TokenServiceOptions } from './token-service.js';
import { fetchTransport, type HttpTransport } from './transport.js';

export { OAuthService, type CallbackOutcome, type CallbackParams } from './service.js';
export { TokenService, type AccessToken, type GetTokenOptions } from './token-service.js';
export { RefreshSchedule } from './refresh-schedule.js';
export { TokenPace } from './pacing/index.js';
export { OAuthProviderClient, OAuthCallError, type TokenSet, type OAuthFailureKind } from './client.js';
export { CredentialStore } from './credentials.js';
export { FlowStore, FLOW_TTL_MS, type FlowStatus } from './flows.js';
export { providerSettings, redirectUriFor, GOOGLE_SCOPES, MICROSOFT_SCOPES, type ProviderSettings } from './providers.js';
export { renderCallbackPage, type OAuthResultMessage } from './page.js';
export { oauthError, oauthMessage, type OAuthErrorCode } from './errors.js';
export { fetchTransport, TransportError, type HttpTransport } from './transport.js';

export interface OAuthDependencies {
  config: Config;
  database: DatabaseHandle;
  keyring: Keyring;
  logger: Logger;
  audit: AuditLog;
  /** Outbound HTTP for token calls: the SSRF-safe `SafeNetwork` in production (default: fetch with timeouts). */
  transport?: HttpTransport;
  /** Token-service tuning (tests shorten the back-off). */
  /** Account events (server/events): sign-ins and refused grants are account changes. */
  events?: AccountChanges;
  tokenOptions?: Pick<TokenServiceOptions, 'refreshMarginMs' | 'leaseMs' | 'retry' | 'now'>;
}

export interface OAuthModule {
  service: OAuthService;
  tokens: TokenService;
  credentials: CredentialStore;
  flows: FlowStore;
  /** Starts the background refresher; push its `stop` onto `services.onClose`. */
  /** When the background renews each credential (token use, keep-alive). */
  schedule: RefreshSchedule;
  startRefresher(options?: Pick<RefresherOptions, 'intervalMs' | 'batchSize' | 'concurrency' | 'stopGraceMs'>): Refresher;
}

/**
 * Wires the OAuth capability from the configuration: one provider client per configured
 * provider, the flow and credential stores, the token service and the sign-in service.
 *
 * @example
 * const oauth = createOAuth({ config, database, keyring, logger, audit, transport: net });
 * const settings = new SettingsService({ ..., tokens: oauth.tokens });
 */
export function createOAuth(deps: OAuthDependencies): OAuthModule {
  const { config, database, keyring, logger, audit } = deps;
  const transport = deps.transport ?? fetchTransport();
  const log = logger.child({ component: 'oauth' });
  const clients: Partial<Record<OAuthProviderId, OAuthProviderClient>> = {};
  for (const [id, settings] of Object.entries(providerSettings(config))) {
    clients[id as OAuthProviderId] = new OAuthProviderClient(settings, transport);
  }
  const credentials = new CredentialStore(database.db, keyring, database.dialect, Date.now, deps.events);
  const flows = new FlowStore(database.db, keyring);
  const schedule = new RefreshSchedule(database.db, database.dialect);
  const pace = new TokenPace(database.db, { ratePerSecond: config.oauthTokenRate });
  const tokens = new TokenService({ store: credentials, clients, logger: log, audit, pace, schedule, ...deps.tokenOptions });
  const service = new OAuthService({
    clients,
    flows,
    credentials,
    logger: log,
    audit,
    isAllowedOrigin: createOriginCheck(config),
    launchUrlFor: (provider) => `${config.publicUrl}${config.basePath}/oauth/${provider}/launch`,
  });
  return {
    service,
    tokens,
    credentials,
    flows,
    schedule,
    startRefresher: (options = {}) => startRefresher({ tokens, schedule, logger: log, ...options }),
  };
}

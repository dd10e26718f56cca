import type { Hono } from 'hono';
import { loadConfig, type Config } from './config/index.js';
import { createLogger, type Logger } from './log/index.js';
import { openDatabase, type DatabaseHandle } from './store/connect.js';
import { Keyring } from './crypto/keyring.js';
import { SessionTokens } from './auth/session-tokens.js';
import { SettingsService } from './settings/service.js';
import { AuditLog } from './store/audit.js';
import { RateLimiter } from './store/rate-limits.js';
import { Retention } from './store/retention.js';
import { trafficRetentionRules } from './store/retention-rules.js';
import { SafeNetwork } from './net/index.js';
import { createDetector, detectorOptionsFromEnv } from './detect/index.js';
import { createOAuth } from './oauth/index.js';
import { MailTestService } from './mail/index.js';
import { createAccountEvents, type AccountEventsOptions } from './events/index.js';
import { buildHttpApp } from './http/app.js';
import type { AppEnv, Services } from './http/context.js';

export interface CreateAppOptions {
  /** A ready configuration; otherwise read from `env`. */
  config?: Config;
  /** Environment to read the configuration from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Configuration fields to override after reading the environment. */
  overrides?: Partial<Config>;
  logger?: Logger;
  /**
   * Certificate authorities trusted for outbound TLS on top of the system's (the test CA that signs
   * local stand-ins for imap.gmail.com and the like; a company CA). A spawned server takes
   * NODE_EXTRA_CA_CERTS instead.
   */
  extraCa?: string | Buffer;
  /** An open database; otherwise opened from the configuration. */
  database?: DatabaseHandle;
  /** Webhook sender tuning that is not configuration (tests: a short timeout and poll). */
  webhookSender?: AccountEventsOptions['senderOptions'];
}

export interface EmailWizardApp {
  /** Mount it, or pass `app.fetch` to any server: the API lives under `config.basePath`. */
  app: Hono<AppEnv>;
  fetch: (request: Request) => Response | Promise<Response>;
  services: Services;
  /** Stops background work and closes the database (when this app opened it). */
  close(): Promise<void>;
}

/**
 * Builds the whole server: configuration, database, keyring, services and the Hono app.
 *
 * @example
 * import { serve } from '@hono/node-server';
 * import { createApp } from 'email-config-wizard/server';
 * const { app } = await createApp({ env: process.env });
 * serve({ fetch: app.fetch, port: 8787 });
 */
export async function createApp(options: CreateAppOptions = {}): Promise<EmailWizardApp> {
  const config = { ...(options.config ?? loadConfig(options.env ?? process.env)), ...options.overrides };
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const database = options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.dbFile }));
  const keyring = new Keyring(config.encryptionKeys);
  const net = new SafeNetwork({ dnsServers: config.dnsServers, allowPrivateNetworks: config.allowPrivateNetworks, ca: options.extraCa });
  const audit = new AuditLog(database.db, logger);
  const events = createAccountEvents({ config, database, logger, senderOptions: options.webhookSender });
  const oauth = createOAuth({ config, database, keyring, logger, audit, transport: net, events: events.recorder });
  const settings = new SettingsService({ db: database.db, keyring, allowPrivateNetworks: config.allowPrivateNetworks, tokens: oauth.tokens, events: events.recorder });
  const rateLimits = new RateLimiter(database.db);
  const services: Services = {
    config,
    logger,
    database,
    keyring,
    sessions: new SessionTokens(config.sessionSecret),
    settings,
    audit,
    rateLimits,
    net,
    detector: createDetector({ net, logger, ...detectorOptionsFromEnv(options.env ?? process.env) }),
    oauth,
    mailTests: new MailTestService({ net, settings, db: database.db, rateLimits, tokens: oauth.tokens, audit, logger, allowPrivateNetworks: config.allowPrivateNetworks, ca: options.extraCa, limits: { perHost: { limit: config.testTargetLimit, windowMs: 60_000 } } }),
    events,
    retention: new Retention({ logger, overrides: config.retention.overridesMs, intervalMs: config.retention.intervalMs }),
    onClose: [],
  };
  for (const rule of trafficRetentionRules(database.db)) services.retention.register(rule);
  services.retention.register(events.retentionRule);
  for (const rule of audit.retentionRules()) services.retention.register(rule);
  services.onClose.push(services.retention.start());
  services.onClose.push(events.start());
  const refresher = oauth.startRefresher();
  services.onClose.push(async () => {
    oauth.tokens.close(); // callers still waiting for a token get a 503 at once
    await refresher.stop();
  });
  const app = buildHttpApp(services);
  return {
    app,
    fetch: app.fetch,
    services,
    async close() {
      for (const stop of services.onClose.splice(0).reverse()) await stop();
      if (!options.database) await database.close();
    },
  };
}

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { KeyFormatError, parseEncryptionKeys, type EncryptionKey } from '../crypto/keyring.js';

/** Everything the server reads from its environment, parsed and checked once at start-up. */
export interface Config {
  port: number;
  basePath: string;
  dataDir: string;
  dbFile: string;
  databaseUrl?: string;
  apiKeys: string[];
  /** True when no `EMAIL_WIZARD_API_KEYS` was given and a generated demo key is in use. */
  demoMode: boolean;
  sessionSecret: Buffer;
  encryptionKeys: EncryptionKey[];
  allowedOrigins: string[];
  publicUrl: string;
  dnsServers?: string[];
  allowPrivateNetworks: boolean;
  google?: OAuthProviderConfig;
  microsoft?: OAuthProviderConfig & { tenant: string; authority: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `EMAIL_WIZARD_RETENTION` and `_RETENTION_INTERVAL_SECONDS`: how long growing tables keep rows (server/store/retention.ts). */
  retention: RetentionConfig;
  /** `EMAIL_WIZARD_TEST_TARGET_LIMIT`: connection tests per target address per minute, all sessions together. */
  testTargetLimit: number;
  /** `EMAIL_WIZARD_OAUTH_TOKEN_RATE`: token-endpoint requests per second per provider, across all instances. */
  oauthTokenRate: number;
  /** Account events for the host (Standard Webhooks); undefined when `EMAIL_WIZARD_WEBHOOK_URL` is unset. */
  webhook?: WebhookConfig;
}

/** Where and how account events are sent (server/events). */
export interface WebhookConfig {
  url: string;
  /** `whsec_<base64>`, checked: at least 24 bytes once decoded. */
  secret: string;
  /** Seconds to wait after each failed attempt; the last repeats until 24 h have passed. */
  retryDelaysSeconds: number[];
}

/** `EMAIL_WIZARD_TEST_TARGET_LIMIT`: a whole number from 1 to 100000 (default 30). */
function parseTestTargetLimit(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 30;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
    throw new ConfigError(`EMAIL_WIZARD_TEST_TARGET_LIMIT must be a whole number of tests per address per minute from 1 to 100000, not "${raw}".`);
  }
  return limit;
}

export interface RetentionConfig {
  /** Per-table keep times in milliseconds, for the tables the operator named. */
  overridesMs: ReadonlyMap<string, number>;
  intervalMs: number;
}

/** Tables with a retention rule, as `EMAIL_WIZARD_RETENTION` may name them. */
export const RETENTION_TABLES = ['rate_limits', 'oauth_flows', 'connection_tests', 'audit_log', 'audit_daily_counts', 'account_events'] as const;

/** `EMAIL_WIZARD_RETENTION="oauth_flows=48,connection_tests=2"` (hours, at least 1) and the job's interval (60–86400 s, default 600). */
function parseRetention(env: Env): RetentionConfig {
  const overridesMs = new Map<string, number>();
  for (const item of list(env.EMAIL_WIZARD_RETENTION)) {
    const match = /^([a-z_]+)\s*=\s*(\d+(?:\.\d+)?)$/.exec(item);
    if (!match || !(RETENTION_TABLES as readonly string[]).includes(match[1]!) || Number(match[2]) < 1) {
      throw new ConfigError(
        `EMAIL_WIZARD_RETENTION holds "${item}"; write table=hours (at least 1) for the tables ${RETENTION_TABLES.join(', ')}, such as oauth_flows=48.`,
      );
    }
    overridesMs.set(match[1]!, Number(match[2]) * 3600_000);
  }
  const interval = env.EMAIL_WIZARD_RETENTION_INTERVAL_SECONDS?.trim();
  const seconds = interval ? Number(interval) : 600;
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 86_400) {
    throw new ConfigError(`EMAIL_WIZARD_RETENTION_INTERVAL_SECONDS must be a whole number of seconds from 60 to 86400, not "${interval}".`);
  }
  return { overridesMs, intervalMs: seconds * 1000 };
}

export interface OAuthProviderConfig {
  clientId: string;
  clientSecret?: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl?: string;
}

/** Start-up cannot go on: the message says which setting is wrong and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const DEFAULT_PORT = 8787;
const DEFAULT_BASE_PATH = '/api/email-settings';

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

function flag(env: Env, name: string): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0' || value === 'no') return false;
  if (value === 'true' || value === '1' || value === 'yes') return true;
  throw new ConfigError(`${name} must be "true" or "false", not "${env[name]}".`);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, not "${raw}".`);
  }
  return port;
}

function parseOrigin(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.origin === 'null') throw new Error('opaque');
    return url.origin;
  } catch {
    throw new ConfigError(`${name} holds "${value}", which is not an origin such as https://app.example.com.`);
  }
}

function parseDnsServers(raw: string | undefined): string[] | undefined {
  const servers = list(raw);
  if (servers.length === 0) return undefined;
  for (const server of servers) {
    if (!/^(\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?|\[[0-9a-f:.]+\](:\d{1,5})?|[0-9a-f:]+)$/i.test(server)) {
      throw new ConfigError(`EMAIL_WIZARD_DNS_SERVERS holds "${server}", which is not an ip[:port] address.`);
    }
  }
  return servers;
}

/** The production retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h until 24 h have passed. */
export const DEFAULT_WEBHOOK_RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000];
const WEBHOOK_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const MIN_WEBHOOK_SECRET_BYTES = 24; // Standard Webhooks: secrets are 24 to 64 random bytes

/**
 * `EMAIL_WIZARD_WEBHOOK_URL`, `_SECRET` and `_RETRY_DELAYS`. The URL is operator configuration:
 * it may name a private address and does not go through the SSRF filter.
 */
function parseWebhook(env: Env): WebhookConfig | undefined {
  const url = env.EMAIL_WIZARD_WEBHOOK_URL?.trim();
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('EMAIL_WIZARD_WEBHOOK_URL is not a URL; give one such as https://app.example.com/hooks/email.');
  }
  if (!['http:', 'https:'].includes(parsed.protocol) || parsed.username || parsed.password) {
    throw new ConfigError('EMAIL_WIZARD_WEBHOOK_URL must be an http:// or https:// URL without a user name or password in it.');
  }
  const secret = env.EMAIL_WIZARD_WEBHOOK_SECRET?.trim();
  if (!secret) {
    throw new ConfigError('EMAIL_WIZARD_WEBHOOK_SECRET must be set when EMAIL_WIZARD_WEBHOOK_URL is: a whsec_<base64> signing secret of at least 24 random bytes.');
  }
  const base64 = WEBHOOK_SECRET.exec(secret)?.[1];
  if (!base64 || base64.length % 4 !== 0 || Buffer.from(base64, 'base64').length < MIN_WEBHOOK_SECRET_BYTES) {
    throw new ConfigError('EMAIL_WIZARD_WEBHOOK_SECRET is malformed: it must be whsec_ followed by the base64 of at least 24 random bytes.');
  }
  const delays = env.EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS?.trim();
  const items = delays ? delays.split(',').map((item) => item.trim()) : undefined;
  if (items?.some((item) => !/^\d+(\.\d+)?$/.test(item))) {
    throw new ConfigError(`EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS must be comma-separated seconds such as ${DEFAULT_WEBHOOK_RETRY_DELAYS.join(',')}.`);
  }
  return { url: parsed.href, secret, retryDelaysSeconds: items ? items.map(Number) : DEFAULT_WEBHOOK_RETRY_DELAYS };
}

/** `EMAIL_WIZARD_OAUTH_TOKEN_RATE`: a positive number of requests per second (default 10). */
function parseTokenRate(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 10;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000) {
    throw new ConfigError(`EMAIL_WIZARD_OAUTH_TOKEN_RATE must be a number of token requests per second above 0 (such as 10), not "${raw}".`);
  }
  return rate;
}

/**
 * Reads a secret file from the data dir, creating it (mode 0600, directory 0700) on first start.
 * Two instances starting at once on one data dir both end up with the file the first one wrote.
 */
function readOrCreateSecret(path: string, create: () => string): string {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(path, create() + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600); // the umask may have narrowed the mode above
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`Cannot create ${path}: ${(error as Error).message}`);
      }
    }
  }
  return readFileSync(path, 'utf8').trim();
}

/** Parses the key list, turning a format problem into a start-up error that names its source. */
function loadEncryptionKeys(env: Env, dataDir: string): EncryptionKey[] {
  const configured = env.EMAIL_WIZARD_ENCRYPTION_KEYS?.trim();
  const file = join(dataDir, 'encryption-keys');
  const text = configured || readOrCreateSecret(file, () => `k1:${randomBytes(32).toString('base64')}`);
  try {
    return parseEncryptionKeys(text, configured ? 'EMAIL_WIZARD_ENCRYPTION_KEYS' : file);
  } catch (error) {
    if (error instanceof KeyFormatError) throw new ConfigError(error.message);
    throw error;
  }
}

export interface LoadConfigOptions {
  /** Working directory that relative paths are resolved against. */
  cwd?: string;
}

/**
 * Reads the configuration documented in the README from `env`.
 * Missing secrets are generated into the data directory with mode 0600, so a fresh
 * `npm start` works with nothing set; malformed values throw a `ConfigError`.
 */
export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const port = parsePort(env.PORT);
  const dbFile = resolve(cwd, env.EMAIL_WIZARD_DB?.trim() || './data/email-wizard.sqlite');
  const dataDir = dirname(dbFile);
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://.');
  }

  const configuredKeys = list(env.EMAIL_WIZARD_API_KEYS);
  // Fail closed: a key list that is set but holds no key ("", " , ") is a mistake — an empty
  // template value, a lost secret — never a request for demo mode, which only an unset variable is.
  if (env.EMAIL_WIZARD_API_KEYS !== undefined && configuredKeys.length === 0) {
    throw new ConfigError('EMAIL_WIZARD_API_KEYS is set but holds no key; give one or more comma-separated keys, or unset it for demo mode.');
  }
  const demoMode = configuredKeys.length === 0;
  const apiKeys = demoMode
    ? [readOrCreateSecret(join(dataDir, 'demo-api-key'), () => 'ecw_demo_' + randomBytes(18).toString('base64url'))]
    : configuredKeys;

  const sessionSecretText =
    env.EMAIL_WIZARD_SESSION_SECRET?.trim() ||
    readOrCreateSecret(join(dataDir, 'session-secret'), () => randomBytes(32).toString('base64'));
  const sessionSecret = Buffer.from(sessionSecretText, 'utf8');
  if (sessionSecret.length < 32) {
    throw new ConfigError('EMAIL_WIZARD_SESSION_SECRET must be at least 32 characters long.');
  }

  const encryptionKeys = loadEncryptionKeys(env, dataDir);

  const publicUrl = (env.EMAIL_WIZARD_PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, '');
  const publicOrigin = parseOrigin('EMAIL_WIZARD_PUBLIC_URL', publicUrl);
  const allowedOrigins = [
    ...new Set([publicOrigin, ...list(env.EMAIL_WIZARD_ALLOWED_ORIGINS).map((o) => parseOrigin('EMAIL_WIZARD_ALLOWED_ORIGINS', o))]),
  ];

  const google = env.GOOGLE_CLIENT_ID?.trim()
    ? {
        clientId: env.GOOGLE_CLIENT_ID.trim(),
        clientSecret: env.GOOGLE_CLIENT_SECRET?.trim() || undefined,
        authorizationUrl: env.GOOGLE_AUTHORIZATION_URL?.trim() || 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: env.GOOGLE_TOKEN_URL?.trim() || 'https://oauth2.googleapis.com/token',
        revocationUrl: env.GOOGLE_REVOCATION_URL?.trim() || 'https://oauth2.googleapis.com/revoke',
      }
    : undefined;

  const tenant = env.MICROSOFT_TENANT?.trim() || 'common';
  const authority = (env.MICROSOFT_AUTHORITY?.trim() || 'https://login.microsoftonline.com').replace(/\/+$/, '');
  const microsoft = env.MICROSOFT_CLIENT_ID?.trim()
    ? {
        clientId: env.MICROSOFT_CLIENT_ID.trim(),
        clientSecret: env.MICROSOFT_CLIENT_SECRET?.trim() || undefined,
        tenant,
        authority,
        authorizationUrl: `${authority}/${tenant}/oauth2/v2.0/authorize`,
        tokenUrl: `${authority}/${tenant}/oauth2/v2.0/token`,
      }
    : undefined;

  const basePath = '/' + (env.EMAIL_WIZARD_BASE_PATH?.trim() || DEFAULT_BASE_PATH).replace(/^\/+|\/+$/g, '');
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL must be one of debug, info, warn, error.');
  }

  return {
    port,
    basePath,
    dataDir,
    dbFile,
    databaseUrl,
    apiKeys,
    demoMode,
    sessionSecret,
    encryptionKeys,
    allowedOrigins,
    publicUrl,
    dnsServers: parseDnsServers(env.EMAIL_WIZARD_DNS_SERVERS),
    allowPrivateNetworks: flag(env, 'EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS'),
    google,
    microsoft,
    logLevel,
    retention: parseRetention(env),
    testTargetLimit: parseTestTargetLimit(env.EMAIL_WIZARD_TEST_TARGET_LIMIT),
    oauthTokenRate: parseTokenRate(env.EMAIL_WIZARD_OAUTH_TOKEN_RATE),
    webhook: parseWebhook(env),
  };
}

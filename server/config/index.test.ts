import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'ecw-config-'));
const key32 = () => randomBytes(32).toString('base64');

describe('loadConfig', () => {
  it('starts with nothing set: demo key, generated secrets in 0600 files, documented defaults', () => {
    const cwd = freshDir();
    const config = loadConfig({}, { cwd });
    expect(config.port).toBe(8787);
    expect(config.basePath).toBe('/api/email-settings');
    expect(config.dbFile).toBe(join(cwd, 'data', 'email-wizard.sqlite'));
    expect(config.demoMode).toBe(true);
    expect(config.apiKeys).toHaveLength(1);
    expect(config.apiKeys[0]).toMatch(/^ecw_demo_/);
    expect(config.publicUrl).toBe('http://localhost:8787');
    expect(config.allowedOrigins).toEqual(['http://localhost:8787']);
    expect(config.allowPrivateNetworks).toBe(false);
    expect(config.google).toBeUndefined();
    expect(config.microsoft).toBeUndefined();
    for (const file of ['demo-api-key', 'session-secret', 'encryption-keys']) {
      expect(statSync(join(cwd, 'data', file)).mode & 0o777, file).toBe(0o600);
    }
    expect(statSync(join(cwd, 'data')).mode & 0o777).toBe(0o700);
    expect(config.encryptionKeys).toHaveLength(1);
    expect(config.encryptionKeys[0]!.key).toHaveLength(32);
  });

  it('refuses an API key list that is set but holds no key instead of falling back to demo mode', () => {
    for (const value of [' , ', ',', ' ,, ,', '', '  ']) {
      expect(() => loadConfig({ EMAIL_WIZARD_API_KEYS: value }, { cwd: freshDir() }), JSON.stringify(value)).toThrow(
        /^EMAIL_WIZARD_API_KEYS is set but holds no key/,
      );
    }
  });

  it('reads the retention rules: table=hours overrides and the job interval, with defaults', () => {
    const defaults = loadConfig({}, { cwd: freshDir() }).retention;
    expect(defaults).toEqual({ overridesMs: new Map(), intervalMs: 600_000 });
    const set = loadConfig({ EMAIL_WIZARD_RETENTION: 'oauth_flows=48, rate_limits=1.5', EMAIL_WIZARD_RETENTION_INTERVAL_SECONDS: '120' }, { cwd: freshDir() });
    expect(set.retention).toEqual({ overridesMs: new Map([['oauth_flows', 48 * 3600_000], ['rate_limits', 1.5 * 3600_000]]), intervalMs: 120_000 });
    for (const value of ['oauth_flows', 'nope=3', 'rate_limits=0', 'rate_limits=-1']) {
      expect(() => loadConfig({ EMAIL_WIZARD_RETENTION: value }, { cwd: freshDir() })).toThrow(/^EMAIL_WIZARD_RETENTION holds/);
    }
    expect(() => loadConfig({ EMAIL_WIZARD_RETENTION_INTERVAL_SECONDS: '5' }, { cwd: freshDir() })).toThrow(/^EMAIL_WIZARD_RETENTION_INTERVAL_SECONDS/);
  });

  it('reads the per-address connection-test limit (default 30 a minute)', () => {
    expect(loadConfig({}, { cwd: freshDir() }).testTargetLimit).toBe(30);
    expect(loadConfig({ EMAIL_WIZARD_TEST_TARGET_LIMIT: '500' }, { cwd: freshDir() }).testTargetLimit).toBe(500);
    for (const value of ['0', '1.5', 'many']) {
      expect(() => loadConfig({ EMAIL_WIZARD_TEST_TARGET_LIMIT: value }, { cwd: freshDir() })).toThrow(/^EMAIL_WIZARD_TEST_TARGET_LIMIT/);
    }
  });

  it('reuses the generated secrets on the next start', () => {
    const cwd = freshDir();
    const first = loadConfig({}, { cwd });
    const second = loadConfig({}, { cwd });
    expect(second.apiKeys).toEqual(first.apiKeys);
    expect(second.sessionSecret.equals(first.sessionSecret)).toBe(true);
    expect(second.encryptionKeys[0]!.key.equals(first.encryptionKeys[0]!.key)).toBe(true);
  });

  it('uses configured secrets and writes no files for them', () => {
    const cwd = freshDir();
    const config = loadConfig(
      {
        EMAIL_WIZARD_API_KEYS: ' key-one , key-two ',
        EMAIL_WIZARD_SESSION_SECRET: 'x'.repeat(40),
        EMAIL_WIZARD_ENCRYPTION_KEYS: `new:${key32()},old:${key32()}`,
        EMAIL_WIZARD_DB: 'db/x.sqlite',
        EMAIL_WIZARD_ALLOWED_ORIGINS: 'https://app.example.com/, https://admin.example.com',
        EMAIL_WIZARD_PUBLIC_URL: 'https://wizard.example.com/',
        EMAIL_WIZARD_DNS_SERVERS: '127.0.0.1:5353,::1',
        EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
        PORT: '0',
      },
      { cwd },
    );
    expect(config.demoMode).toBe(false);
    expect(config.apiKeys).toEqual(['key-one', 'key-two']);
    expect(config.encryptionKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.dbFile).toBe(join(cwd, 'db', 'x.sqlite'));
    expect(config.publicUrl).toBe('https://wizard.example.com');
    expect(config.allowedOrigins).toEqual(['https://wizard.example.com', 'https://app.example.com', 'https://admin.example.com']);
    expect(config.dnsServers).toEqual(['127.0.0.1:5353', '::1']);
    expect(config.allowPrivateNetworks).toBe(true);
    expect(config.port).toBe(0);
    expect(() => readFileSync(join(cwd, 'db', 'encryption-keys'))).toThrow();
  });

  it('builds the OAuth provider settings, with Microsoft endpoints from authority and tenant', () => {
    const config = loadConfig(
      {
        EMAIL_WIZARD_API_KEYS: 'k',
        GOOGLE_CLIENT_ID: 'g-id',
        GOOGLE_TOKEN_URL: 'http://127.0.0.1:9/token',
        MICROSOFT_CLIENT_ID: 'm-id',
        MICROSOFT_TENANT: 'contoso',
        MICROSOFT_AUTHORITY: 'http://127.0.0.1:9/ms/',
      },
      { cwd: freshDir() },
    );
    expect(config.google).toMatchObject({ clientId: 'g-id', tokenUrl: 'http://127.0.0.1:9/token', authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth' });
    expect(config.google!.clientSecret).toBeUndefined();
    expect(config.microsoft).toMatchObject({
      clientId: 'm-id',
      tenant: 'contoso',
      authorizationUrl: 'http://127.0.0.1:9/ms/contoso/oauth2/v2.0/authorize',
      tokenUrl: 'http://127.0.0.1:9/ms/contoso/oauth2/v2.0/token',
    });
  });

  const malformed: Array<[string, Record<string, string>, RegExp]> = [
    ['a key without an id', { EMAIL_WIZARD_ENCRYPTION_KEYS: key32() }, /EMAIL_WIZARD_ENCRYPTION_KEYS, entry 1: expected "id:base64key"/],
    ['a key of the wrong length', { EMAIL_WIZARD_ENCRYPTION_KEYS: `k1:${randomBytes(16).toString('base64')}` }, /16 bytes; AES-256 needs exactly 32/],
    ['a key that is not base64', { EMAIL_WIZARD_ENCRYPTION_KEYS: 'k1:not*base64!' }, /not valid base64/],
    ['a key id used twice', { EMAIL_WIZARD_ENCRYPTION_KEYS: `k1:${key32()},k1:${key32()}` }, /"k1" is used twice/],
    ['a short session secret', { EMAIL_WIZARD_SESSION_SECRET: 'short' }, /EMAIL_WIZARD_SESSION_SECRET must be at least 32/],
    ['a port out of range', { PORT: '70000' }, /PORT must be a whole number/],
    ['a non-postgres DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    ['an origin with no scheme', { EMAIL_WIZARD_ALLOWED_ORIGINS: 'app.example.com' }, /not an origin/],
    ['a DNS server that is a name', { EMAIL_WIZARD_DNS_SERVERS: 'dns.example.com' }, /not an ip\[:port\]/],
    ['a flag that is not a boolean', { EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'maybe' }, /must be "true" or "false"/],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
  ];
  it.each(malformed)('stops with a ConfigError naming the setting for %s', (_, env, message) => {
    const attempt = () => loadConfig({ EMAIL_WIZARD_API_KEYS: 'k', ...env }, { cwd: freshDir() });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('names the generated key file when that file is damaged', () => {
    const cwd = freshDir();
    loadConfig({}, { cwd });
    writeFileSync(join(cwd, 'data', 'encryption-keys'), 'k1:tooshort\n');
    expect(() => loadConfig({}, { cwd })).toThrow(/data\/encryption-keys, entry 1: the key "k1" is \d+ bytes/);
  });
});

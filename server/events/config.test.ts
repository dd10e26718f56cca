import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_WEBHOOK_RETRY_DELAYS, loadConfig } from '../config/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

function configWith(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'ecw-webhook-config-'));
  return loadConfig({ EMAIL_WIZARD_DB: join(dir, 'db.sqlite'), EMAIL_WIZARD_API_KEYS: 'k', ...env });
}
const refusal = (env: Record<string, string>) => {
  try {
    configWith(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

/** Starts the real server with `env` and returns how it ended (it must not start). */
function startServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ecw-webhook-start-'));
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts'],
      { cwd: ROOT, env: { ...process.env, PORT: '0', EMAIL_WIZARD_DB: join(dir, 'db.sqlite'), EMAIL_WIZARD_API_KEYS: 'k', ...env }, timeout: 30_000 },
      (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

describe('EMAIL_WIZARD_WEBHOOK_* configuration', () => {
  it('is off without a URL, even with a secret', () => {
    expect(configWith({}).webhook).toBeUndefined();
    expect(configWith({ EMAIL_WIZARD_WEBHOOK_SECRET: SECRET }).webhook).toBeUndefined();
  });

  it('takes a URL (a private one too: it is operator configuration), the secret and the production schedule by default', () => {
    expect(configWith({ EMAIL_WIZARD_WEBHOOK_URL: 'http://10.0.0.7:8080/hooks/email', EMAIL_WIZARD_WEBHOOK_SECRET: SECRET }).webhook).toEqual({
      url: 'http://10.0.0.7:8080/hooks/email',
      secret: SECRET,
      retryDelaysSeconds: DEFAULT_WEBHOOK_RETRY_DELAYS,
    });
    // The default retries for longer than 24 hours in growing steps.
    expect(DEFAULT_WEBHOOK_RETRY_DELAYS.every((seconds, i) => i === 0 || seconds > DEFAULT_WEBHOOK_RETRY_DELAYS[i - 1]!)).toBe(true);
    expect(DEFAULT_WEBHOOK_RETRY_DELAYS[0]).toBeGreaterThanOrEqual(1);
  });

  it('reads EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS as comma-separated seconds', () => {
    const webhook = configWith({ EMAIL_WIZARD_WEBHOOK_URL: 'https://app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: SECRET, EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS: ' 1, 2.5 ,60' }).webhook;
    expect(webhook?.retryDelaysSeconds).toEqual([1, 2.5, 60]);
  });

  it.each([
    ['a URL without a secret', { EMAIL_WIZARD_WEBHOOK_URL: 'https://app.example/h' }, /^EMAIL_WIZARD_WEBHOOK_SECRET must be set/],
    ['a secret without whsec_', { EMAIL_WIZARD_WEBHOOK_URL: 'https://app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: randomBytes(24).toString('base64') }, /^EMAIL_WIZARD_WEBHOOK_SECRET is malformed/],
    ['a secret that is not base64', { EMAIL_WIZARD_WEBHOOK_URL: 'https://app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: 'whsec_not*base64!' }, /^EMAIL_WIZARD_WEBHOOK_SECRET is malformed/],
    ['a secret of 16 bytes', { EMAIL_WIZARD_WEBHOOK_URL: 'https://app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: `whsec_${randomBytes(16).toString('base64')}` }, /^EMAIL_WIZARD_WEBHOOK_SECRET is malformed/],
    ['a URL that is not one', { EMAIL_WIZARD_WEBHOOK_URL: 'app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: SECRET }, /^EMAIL_WIZARD_WEBHOOK_URL is not a URL/],
    ['a URL of another scheme', { EMAIL_WIZARD_WEBHOOK_URL: 'ftp://app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: SECRET }, /^EMAIL_WIZARD_WEBHOOK_URL must be an http/],
    ['a URL with a password', { EMAIL_WIZARD_WEBHOOK_URL: 'https://u:p@app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: SECRET }, /^EMAIL_WIZARD_WEBHOOK_URL must be an http/],
    ['delays that are not seconds', { EMAIL_WIZARD_WEBHOOK_URL: 'https://app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: SECRET, EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS: '5,,300' }, /^EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS must be/],
    ['negative delays', { EMAIL_WIZARD_WEBHOOK_URL: 'https://app.example/h', EMAIL_WIZARD_WEBHOOK_SECRET: SECRET, EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS: '-5' }, /^EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS must be/],
  ])('refuses %s with one sentence naming the variable', (_name, env: Record<string, string>, message) => {
    const text = refusal(env);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    if (env.EMAIL_WIZARD_WEBHOOK_SECRET) expect(text).not.toContain(env.EMAIL_WIZARD_WEBHOOK_SECRET);
  });

  it('the server does not start (exit 78) with a URL but no secret, or a malformed secret, and says why in one line', async () => {
    const [missing, malformed] = await Promise.all([
      startServer({ EMAIL_WIZARD_WEBHOOK_URL: 'http://127.0.0.1:9/hooks' }),
      startServer({ EMAIL_WIZARD_WEBHOOK_URL: 'http://127.0.0.1:9/hooks', EMAIL_WIZARD_WEBHOOK_SECRET: 'whsec_short' }),
    ]);
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/^email-config-wizard cannot start: EMAIL_WIZARD_WEBHOOK_SECRET must be set when EMAIL_WIZARD_WEBHOOK_URL is[^\n]*\n$/);
    expect(malformed.code).toBe(78);
    expect(malformed.stderr).toMatch(/^email-config-wizard cannot start: EMAIL_WIZARD_WEBHOOK_SECRET is malformed[^\n]*\n$/);
    expect(malformed.stderr).not.toContain('whsec_short');
  });
});

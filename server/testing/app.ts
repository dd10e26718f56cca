import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createApp, type EmailWizardApp } from '../create-app.js';
import { createMemoryLogger } from '../log/index.js';
import { NO_DNS } from './server-process.js';

export const TEST_API_KEY = 'test-host-key-0123456789';
export const TEST_BASE = '/api/email-settings';

export interface TestApp extends EmailWizardApp {
  dataDir: string;
  dbFile: string;
  logLines: string[];
  /** Sends a request to the app in-process; `path` is relative to the API base. */
  request(path: string, init?: RequestInit & { json?: unknown; token?: string }): Promise<Response>;
  /** Mints a session token through the public host API. */
  session(accountId: string, extra?: { origin?: string; ttlSeconds?: number }): Promise<string>;
}

export type ApiRequestInit = RequestInit & { json?: unknown; token?: string };

/** A request's init with `token` as a bearer header and `json` as the body. */
export function apiRequestInit(init: ApiRequestInit): RequestInit {
  const { json, token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  if (json === undefined) return { ...rest, headers };
  headers.set('Content-Type', 'application/json');
  return { ...rest, headers, body: JSON.stringify(json) };
}

/**
 * A complete app on a fresh SQLite file in a temp dir, with a known API key and a memory logger.
 * `env` adds or overrides configuration variables; `ca` is trusted for outbound TLS (the test CA).
 */
export async function createTestApp(env: Record<string, string | undefined> = {}, options: { ca?: string | Buffer } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ecw-test-'));
  const dbFile = join(dataDir, 'test.sqlite');
  const logger = createMemoryLogger('debug');
  const wizard = await createApp({
    env: {
      EMAIL_WIZARD_DB: dbFile,
      EMAIL_WIZARD_API_KEYS: TEST_API_KEY,
      EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
      EMAIL_WIZARD_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString('base64')}`,
      // No look-up leaves this machine unless the test brings its own DNS server.
      EMAIL_WIZARD_DNS_SERVERS: NO_DNS,
      ...env,
    },
    logger,
    extraCa: options.ca,
  });
  const request = (path: string, init: ApiRequestInit = {}) =>
    Promise.resolve(wizard.fetch(new Request(`http://localhost${TEST_BASE}${path}`, apiRequestInit(init))));
  return {
    ...wizard,
    dataDir,
    dbFile,
    logLines: logger.lines,
    request,
    async session(accountId, extra = {}) {
      const response = await request('/sessions', { method: 'POST', token: TEST_API_KEY, json: { accountId, ...extra } });
      if (response.status !== 201) throw new Error(`session mint failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { token: string }).token;
    },
  };
}

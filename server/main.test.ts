import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from './testing/dns-server.js';
import { startServerProcess, type ServerProcess } from './testing/server-process.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * The saved mail hosts resolve to a public address: POST /accounts/:id/credentials looks the saved
 * names up again and hands the host's fetcher the checked address (+ the name as servername). It
 * only looks them up and never connects, so nothing is sent to this address.
 */
const PUBLIC_ADDRESS = '93.184.216.34';
const ACME_ZONE = { 'imap.acme.test': { A: [PUBLIC_ADDRESS] }, 'smtp.acme.test': { A: [PUBLIC_ADDRESS] } };
/** The credentials answer, as far as these tests read it. */
type HostCredentials = Record<'imap' | 'smtp', { host: string; servername?: string; auth: { user: string; pass: string } }>;

/** `npm start` as a user runs it: nothing configured, a fresh data directory. */
describe('npm start', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'ecw-start-')), 'data');
  let dns: TestDnsServer;
  const env = {
    EMAIL_WIZARD_DB: join(dataDir, 'email-wizard.sqlite'),
    EMAIL_WIZARD_API_KEYS: undefined, // unset (a set but empty key list refuses to start)
    EMAIL_WIZARD_SESSION_SECRET: '',
    EMAIL_WIZARD_ENCRYPTION_KEYS: '',
    DATABASE_URL: '',
    EMAIL_WIZARD_DNS_SERVERS: undefined as string | undefined, // the test's own, set once it runs
  };
  let server: ServerProcess;
  let demoKey: string;

  beforeAll(async () => {
    dns = await startDnsServer(ACME_ZONE);
    env.EMAIL_WIZARD_DNS_SERVERS = dns.address;
    server = await startServerProcess({ via: 'npm', env });
    demoKey = /Demo API key \(for testing only\): (\S+)/.exec(server.stdout())![1]!;
  });
  afterAll(async () => {
    await server?.stop();
    await dns?.close();
  });

  it('prints its URL and the demo key, and is healthy', async () => {
    expect(server.stdout()).toMatch(/email-config-wizard ready on http:\/\/localhost:\d+\//);
    expect(demoKey).toMatch(/^ecw_demo_/);
    const health = await fetch(`${server.apiUrl}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok' });
    expect(server.stdout()).toMatch(/"msg":"demo API key in use/);
  });

  it('creates the data directory (0700) with the database and secret files, each 0600', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['email-wizard.sqlite', 'demo-api-key', 'session-secret', 'encryption-keys']));
    for (const file of ['email-wizard.sqlite', 'demo-api-key', 'session-secret', 'encryption-keys']) {
      expect(statSync(join(dataDir, file)).mode & 0o777, file).toBe(0o600);
    }
  });

  it('serves the demo page that embeds the element', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<email-config-wizard');
  });

  it('accepts the demo key for the host API, and keeps data across a restart (schema applied twice)', async () => {
    const api = (path: string, init: RequestInit = {}, token = demoKey) =>
      fetch(`${server.apiUrl}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    const session = (await (await api('/sessions', { method: 'POST', body: JSON.stringify({ accountId: 'acme' }) })).json()) as { token: string };
    const saved = await api('/settings', {
      method: 'PUT',
      body: JSON.stringify({
        email: 'support@acme.test',
        imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
        smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'support@acme.test' },
        auth: { method: 'password', password: 'restart-proof' },
      }),
    }, session.token);
    expect(saved.status).toBe(200);

    await server.stop();
    server = await startServerProcess({ via: 'npm', env });
    expect(server.stdout()).toContain(demoKey); // the same generated key, read back from its file
    const after = await api('/settings', {}, session.token); // the same session secret, too
    expect(after.status).toBe(200);
    expect(((await after.json()) as { email: string }).email).toBe('support@acme.test');
    // JSON headers and no body, as many host fetchers send it.
    const answer = await api('/accounts/acme/credentials', { method: 'POST' });
    expect(answer.status).toBe(200);
    const credentials = (await answer.json()) as HostCredentials;
    expect(credentials.imap.auth.pass).toBe('restart-proof'); // the same encryption key
    expect(credentials.imap).toMatchObject({ host: PUBLIC_ADDRESS, servername: 'imap.acme.test' });
  });
});

/** scripts/start.mjs: the same server from an esbuild bundle run by plain Node. */
describe('the bundled fast start', () => {
  let server: ServerProcess;
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer(ACME_ZONE);
    server = await startServerProcess({
      via: 'bundle',
      env: {
        EMAIL_WIZARD_DB: join(mkdtempSync(join(tmpdir(), 'ecw-bundle-')), 'db.sqlite'),
        EMAIL_WIZARD_API_KEYS: 'bundle-key',
        DATABASE_URL: '',
        EMAIL_WIZARD_DNS_SERVERS: dns.address,
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await dns?.close();
  });

  it('serves health, the OpenAPI document and the prebuilt widget compressed; outside demo mode no demo page', async () => {
    expect(await (await fetch(`${server.apiUrl}/health`)).json()).toMatchObject({ status: 'ok' });
    const doc = (await (await fetch(`${server.apiUrl}/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths)).toContain('/settings');
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/demo/session`, { method: 'POST' })).status).toBe(404);
    const widget = await fetch(`${server.url}/widget/email-config-wizard.iife.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(widget.status).toBe(200);
    expect(widget.headers.get('etag')).toMatch(/^"[\w-]+-gz"$/);
    expect(await widget.text()).toMatch(/import\(new URL\("script\/email-config-wizard-[\w-]+\.js"/);
  });

  it('saves and hands out settings, secrets included', async () => {
    const host = { Authorization: 'Bearer bundle-key', 'Content-Type': 'application/json' };
    const { token } = (await (await fetch(`${server.apiUrl}/sessions`, { method: 'POST', headers: host, body: JSON.stringify({ accountId: 'acme' }) })).json()) as { token: string };
    const saved = await fetch(`${server.apiUrl}/settings`, {
      method: 'PUT',
      headers: { ...host, Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        email: 'support@acme.test',
        imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
        smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'support@acme.test' },
        auth: { method: 'password', password: 'from-the-bundle' },
      }),
    });
    expect(saved.status).toBe(200);
    // JSON headers and no body, as many host fetchers send it.
    const answer = await fetch(`${server.apiUrl}/accounts/acme/credentials`, { method: 'POST', headers: host });
    expect(answer.status).toBe(200);
    const credentials = (await answer.json()) as HostCredentials;
    expect(credentials.imap).toMatchObject({ host: PUBLIC_ADDRESS, servername: 'imap.acme.test', auth: { pass: 'from-the-bundle' } });
    expect(credentials.smtp).toMatchObject({ host: PUBLIC_ADDRESS, servername: 'smtp.acme.test', auth: { pass: 'from-the-bundle' } });
  });
});

// Each start transpiles the server with tsx first: on a busy machine (the whole suite on two cores)
// that alone took up to 20 s, and a start killed at its time limit has no exit code to check.
describe('start-up failures', { timeout: 70_000 }, () => {
  const start = (env: Record<string, string>) =>
    run(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', EMAIL_WIZARD_DB: join(mkdtempSync(join(tmpdir(), 'ecw-bad-')), 'db.sqlite'), ...env },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );

  it('stops on a malformed encryption key with a message naming it', async () => {
    const result = await start({ EMAIL_WIZARD_ENCRYPTION_KEYS: 'primary:c2hvcnQ=' });
    expect(result.code).toBe(78);
    expect(result.stderr).toBe(
      'email-config-wizard cannot start: EMAIL_WIZARD_ENCRYPTION_KEYS, entry 1: the key "primary" is 5 bytes; AES-256 needs exactly 32 (generate one with: openssl rand -base64 32).\n',
    );
  });

  it('refuses to start (not demo mode) when EMAIL_WIZARD_API_KEYS holds no key', async () => {
    const result = await start({ EMAIL_WIZARD_API_KEYS: ' , ' });
    expect(result.code).toBe(78);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^email-config-wizard cannot start: EMAIL_WIZARD_API_KEYS is set but holds no key/);
  });

  it('stops with a clear message when the database cannot be reached', async () => {
    const result = await start({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^email-config-wizard cannot start: opening the PostgreSQL database in DATABASE_URL failed: .*ECONNREFUSED/);
  });
});

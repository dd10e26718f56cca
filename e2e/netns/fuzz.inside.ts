import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { createTestApp, TEST_API_KEY, type TestApp } from '../../server/testing/app.js';
import { startDnsServer, type TestDnsServer } from '../../server/testing/dns-server.js';
import { startOAuthTestServer, type OAuthTestServer } from '../../server/testing/oauth-server.js';

/**
 * Fuzz: thousands of generated requests on every endpoint of the whole app (default mode,
 * private networks refused), inside a loopback-only network namespace — generated IP addresses
 * can be public ones, and nothing may leave the machine. No answer is a 5xx, every error is the
 * JSON envelope, nothing crashes, and what was saved before is byte-for-byte the same after.
 */
let app: TestApp;
let dns: TestDnsServer;
let oauth: OAuthTestServer;
let victimToken: string;
let fuzzerToken: string;
let snapshotBefore: string;
const RUNS = Number(process.env.ECW_FUZZ_RUNS ?? 250);

beforeAll(async () => {
  if (!process.env.ECW_NETNS) throw new Error('The fuzz suite may generate public addresses: run it through e2e/fuzz.test.ts.');
  dns = await startDnsServer({});
  oauth = await startOAuthTestServer();
  app = await createTestApp({ ...oauth.env(), EMAIL_WIZARD_DNS_SERVERS: dns.address, EMAIL_WIZARD_DETECT_TIMEOUT_MS: '500' });
  victimToken = await app.session('fuzz-victim');
  fuzzerToken = await app.session('fuzz-attacker');
  const saved = await app.request('/settings', {
    method: 'PUT',
    token: victimToken,
    json: {
      email: 'victim@example.com',
      imap: { host: 'imap.example.com', port: 993, security: 'tls', username: 'victim@example.com' },
      smtp: { host: 'smtp.example.com', port: 465, security: 'tls', username: 'victim@example.com' },
      auth: { method: 'password', password: 'victim-password-1' },
      fromName: 'Victim Support',
      checkIntervalSeconds: 300,
      deleteAfterProcessing: false,
    },
  });
  expect(saved.status).toBe(200);
  snapshotBefore = await snapshot();
});

afterAll(async () => {
  await app?.close();
  await Promise.all([dns?.close(), oauth?.close()]);
});

/**
 * Every saved row (settings, credentials) but the fuzzing account's own, as text: the "nothing
 * saved changes" check (the fuzzer may, by chance, generate a valid save for itself).
 */
async function snapshot(): Promise<string> {
  const db = app.services.database.db;
  const settings = await sql`SELECT * FROM email_settings WHERE account_id <> 'fuzz-attacker' ORDER BY account_id`.execute(db);
  const credentials = await sql`SELECT * FROM oauth_credentials WHERE account_id <> 'fuzz-attacker' ORDER BY id`.execute(db);
  return JSON.stringify({ settings: settings.rows, credentials: credentials.rows });
}

/** No 5xx; a JSON error is the envelope with a code and a sentence. */
async function expectHandled(response: Response, what: string): Promise<void> {
  expect(response.status, what).toBeLessThan(500);
  if (response.status >= 400 && (response.headers.get('content-type') ?? '').includes('application/json')) {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, what).toBe('string');
    expect(typeof body.error?.message, what).toBe('string');
  } else {
    await response.arrayBuffer();
  }
}

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '%00', '<script>', '🙂', 'a'.repeat(5000)));
const host = fc.oneof(text, fc.domain(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.constantFrom('localhost', '[::1]', '0x7f000001', '169.254.169.254'));
const port = fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.constantFrom(993, 143, 465, 587, 0), text);
const security = fc.oneof(fc.constantFrom('tls', 'starttls', 'none'), text);
const server = fc.record({ host, port, security, username: fc.oneof(text, fc.emailAddress()) }, { requiredKeys: [] });
const auth = fc.oneof(
  fc.record({ method: fc.constant('password'), password: text, smtpPassword: text }, { requiredKeys: ['method'] }),
  fc.record({ method: fc.constant('oauth'), provider: fc.oneof(fc.constantFrom('google', 'microsoft'), text) }),
  fc.jsonValue(),
);
const settingsBody = fc.oneof(
  fc.record(
    { email: fc.oneof(fc.emailAddress(), text), imap: server, smtp: server, auth, fromName: text, checkIntervalSeconds: fc.oneof(fc.integer(), text), deleteAfterProcessing: fc.jsonValue() },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);
/** A body that is sometimes not JSON at all. */
const rawBody = (json: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: json.map((value) => JSON.stringify(value)) }, { weight: 1, arbitrary: text });
/** What can travel in an HTTP header (a client cannot even send the rest). */
const headerText = fc.stringMatching(/^[\x21-\x7e]{0,200}$/);
const token = fc.oneof(fc.constant<string | null>(null), headerText, fc.constantFrom('ecw1.e30.AAAA', 'Bearer', TEST_API_KEY + 'x'));

describe('fuzz: every endpoint, thousands of generated inputs', () => {
  it('widget routes with generated bodies and a valid session never answer 5xx', async () => {
    const routes = ['/detect', '/test', '/settings', '/oauth/google', '/oauth/microsoft'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), rawBody(fc.oneof(settingsBody, fc.record({ email: fc.oneof(fc.emailAddress(), text) }))), async (route, body) => {
        const method = route === '/settings' ? 'PUT' : 'POST';
        const response = await app.request(route, { method, token: fuzzerToken, headers: { 'content-type': 'application/json' }, body });
        await expectHandled(response, `${method} ${route} ${body.slice(0, 200)}`);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('every route with generated or missing credentials answers 401/403/4xx, never 5xx', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/settings'],
      ['PUT', '/settings'],
      ['DELETE', '/settings'],
      ['POST', '/detect'],
      ['POST', '/test'],
      ['POST', '/oauth/google'],
      ['GET', '/oauth/flows/abc'],
      ['POST', '/sessions'],
      ['GET', '/accounts/fuzz-victim/settings'],
      ['POST', '/accounts/fuzz-victim/credentials'],
      ['DELETE', '/accounts/fuzz-victim'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), token, rawBody(fc.jsonValue()), async ([method, route], bearer, body) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
        const response = await app.request(route, { method, headers, body: method === 'GET' ? undefined : body });
        expect(response.status, `${method} ${route}`).toBeGreaterThanOrEqual(400);
        await expectHandled(response, `${method} ${route}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('host routes with generated account ids and bodies never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, fc.stringMatching(/^[a-z0-9-]{1,70}$/)), rawBody(fc.record({ accountId: fc.oneof(text, fc.jsonValue()), origin: fc.oneof(text, fc.webUrl()), ttlSeconds: fc.oneof(fc.integer(), fc.double(), text) }, { requiredKeys: [] })), async (accountId, body) => {
        if (accountId === 'fuzz-victim') return;
        const id = encodeURIComponent(accountId);
        for (const [method, route, payload] of [
          ['POST', '/sessions', body],
          ['GET', `/accounts/${id}/settings`, undefined],
          ['POST', `/accounts/${id}/credentials`, undefined],
          ['DELETE', `/accounts/${id}`, undefined],
        ] as const) {
          const response = await app.request(route, { method, token: TEST_API_KEY, headers: { 'content-type': 'application/json' }, body: payload });
          await expectHandled(response, `${method} ${route}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('OAuth callbacks and flow look-ups with generated state, code and error never answer 5xx or 200', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('google', 'microsoft'), fc.constantFrom('GET', 'POST'), fc.dictionary(fc.constantFrom('state', 'code', 'error', 'error_description', 'scope', 'x'), text), text, async (provider, method, params, flowId) => {
        const query = new URLSearchParams(params).toString();
        const callback =
          method === 'GET'
            ? await app.request(`/oauth/${provider}/callback?${query}`)
            : await app.request(`/oauth/${provider}/callback`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query });
        expect(callback.status).toBeGreaterThanOrEqual(400);
        await expectHandled(callback, `${method} callback ${query}`);
        const flow = await app.request(`/oauth/flows/${encodeURIComponent(flowId) || 'x'}`, { token: fuzzerToken });
        await expectHandled(flow, `flow ${flowId}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('the server is still healthy, and what was saved before is unchanged', async () => {
    expect((await app.request('/health')).status).toBe(200);
    expect(await snapshot()).toBe(snapshotBefore);
    const victim = await app.request('/settings', { token: victimToken });
    expect(victim.status).toBe(200);
    expect(((await victim.json()) as { fromName: string }).fromName).toBe('Victim Support');
  });
});

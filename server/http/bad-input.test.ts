import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { LOOKED_UP_ONLY_IMAP_ADDRESS, LOOKED_UP_ONLY_SMTP_ADDRESS, startDnsServer, type TestDnsServer } from '../testing/dns-server.js';

/** Bad input on every foundation route: always a 4xx envelope with a code and a sentence, never a change. */

const PASSWORD = 'original-secret-1';
const valid = () => ({
  email: 'support@acme.test',
  imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
  smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'support@acme.test' },
  auth: { method: 'password', password: PASSWORD },
});
const withField = (path: string, value: unknown) => {
  const body: any = valid();
  const keys = path.split('.');
  let target = body;
  for (const key of keys.slice(0, -1)) target = target[key];
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return body;
};

const badSettings: Array<[string, unknown, string]> = [
  ['an empty object', {}, 'MISSING_FIELD'],
  ['an array', [valid()], 'VALIDATION_ERROR'],
  ['a string', 'settings', 'VALIDATION_ERROR'],
  ['null', null, 'VALIDATION_ERROR'],
  ['a missing email', withField('email', undefined), 'MISSING_FIELD'],
  ['a missing imap block', withField('imap', undefined), 'MISSING_FIELD'],
  ['a missing imap.host', withField('imap.host', undefined), 'MISSING_FIELD'],
  ['a missing auth.method', withField('auth.method', undefined), 'MISSING_FIELD'],
  ['an unknown top-level field', { ...valid(), admin: true }, 'UNKNOWN_FIELD'],
  ['an unknown nested field', withField('imap.tls', { rejectUnauthorized: false }), 'UNKNOWN_FIELD'],
  ['the account id in the body', { ...valid(), accountId: 'globex' }, 'UNKNOWN_FIELD'],
  ['a port as a string', withField('imap.port', '993'), 'VALIDATION_ERROR'],
  ['a port out of range', withField('smtp.port', 70000), 'VALIDATION_ERROR'],
  ['a fractional port', withField('smtp.port', 993.5), 'VALIDATION_ERROR'],
  ['a security value not in the list', withField('imap.security', 'ssl'), 'VALIDATION_ERROR'],
  ['a host with a space', withField('imap.host', 'imap acme.test'), 'VALIDATION_ERROR'],
  ['a host with SQL in it', withField('imap.host', "x'; DROP TABLE email_settings; --"), 'VALIDATION_ERROR'],
  // Internationalised names (imap.exämple.test) are valid and saved as punycode; these characters are not.
  ['a host with characters no host name has', withField('imap.host', 'imap.exa$mple.test'), 'VALIDATION_ERROR'],
  ['a host that is a URL', withField('imap.host', 'https://imap.acme.test/'), 'VALIDATION_ERROR'],
  ['an email without @', withField('email', 'support.acme.test'), 'VALIDATION_ERROR'],
  ['an email as a number', withField('email', 42), 'VALIDATION_ERROR'],
  ['a username with a line break', withField('imap.username', 'a\r\nb'), 'VALIDATION_ERROR'],
  ['a password with a line break', withField('auth.password', 'a\r\nA001 LOGOUT'), 'VALIDATION_ERROR'],
  ['a password that is an object', withField('auth.password', { $ne: '' }), 'VALIDATION_ERROR'],
  ['an empty password', withField('auth.password', ''), 'VALIDATION_ERROR'],
  ['an unknown auth method', withField('auth.method', 'kerberos'), 'VALIDATION_ERROR'],
  ['an unknown OAuth provider', withField('auth', { method: 'oauth', provider: 'yahoo' }), 'VALIDATION_ERROR'],
  ['a check interval under a minute', { ...valid(), checkIntervalSeconds: 5 }, 'VALIDATION_ERROR'],
  ['deleteAfterProcessing as a string', { ...valid(), deleteAfterProcessing: 'yes' }, 'VALIDATION_ERROR'],
  ['a from-name with a control character', { ...valid(), fromName: 'Acme\u0000' }, 'VALIDATION_ERROR'],
  ['a 300-character from-name', { ...valid(), fromName: 'ü'.repeat(300) }, 'VALIDATION_ERROR'],
];

const badSessions: Array<[string, unknown, string]> = [
  ['no accountId', {}, 'MISSING_FIELD'],
  ['an accountId with SQL metacharacters', { accountId: "acme'; DELETE FROM email_settings; --" }, 'VALIDATION_ERROR'],
  ['a non-ASCII accountId', { accountId: 'äcme' }, 'VALIDATION_ERROR'],
  ['an empty accountId', { accountId: '' }, 'VALIDATION_ERROR'],
  ['an accountId of 129 characters', { accountId: 'a'.repeat(129) }, 'VALIDATION_ERROR'],
  ['a numeric accountId', { accountId: 42 }, 'VALIDATION_ERROR'],
  ['an origin with a path', { accountId: 'acme', origin: 'https://app.example.com/page' }, 'VALIDATION_ERROR'],
  ['an origin that is not a URL', { accountId: 'acme', origin: 'app.example.com' }, 'VALIDATION_ERROR'],
  ['a lifetime over a day', { accountId: 'acme', ttlSeconds: 90_000 }, 'VALIDATION_ERROR'],
  ['a negative lifetime', { accountId: 'acme', ttlSeconds: -1 }, 'VALIDATION_ERROR'],
  ['a lifetime as a string', { accountId: 'acme', ttlSeconds: '600' }, 'VALIDATION_ERROR'],
  ['an unknown field', { accountId: 'acme', scope: 'admin' }, 'UNKNOWN_FIELD'],
];

const badAccountIds = ["acme'%3B%20DROP%20TABLE%20email_settings", '%C3%A4cme', 'a%20b', 'a'.repeat(129), '%00', '..%2F..%2Fetc'];

describe('bad input', () => {
  let app: TestApp;
  let token: string;
  let snapshot: () => Promise<string>;
  let dns: TestDnsServer;

  beforeAll(async () => {
    // The credentials call checks the saved names again (a dead DNS would be 503 HOST_CHECK_UNAVAILABLE):
    // they resolve to public addresses that are only looked up — nothing in this file connects anywhere.
    dns = await startDnsServer({ 'imap.acme.test': { A: [LOOKED_UP_ONLY_IMAP_ADDRESS] }, 'smtp.acme.test': { A: [LOOKED_UP_ONLY_SMTP_ADDRESS] } });
    app = await createTestApp({ EMAIL_WIZARD_DNS_SERVERS: dns.address });
    token = await app.session('acme');
    expect((await app.request('/settings', { method: 'PUT', token, json: valid() })).status).toBe(200);
    const db = app.services.database.db;
    snapshot = async () => JSON.stringify([
      await db.selectFrom('email_settings').selectAll().orderBy('account_id').execute(),
      await db.selectFrom('oauth_credentials').selectAll().execute(),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
  });

  const expectRefused = async (response: Response, code?: string) => {
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    if (code) expect(body.error.code).toBe(code);
    expect(body.error.code).toMatch(/^[A-Z_]+$/);
    expect(body.error.message).toMatch(/^\S.*[.)]$/);
    return body;
  };

  it.each(badSettings)('PUT /settings refuses %s and changes nothing', async (_, body, code) => {
    const before = await snapshot();
    await expectRefused(await app.request('/settings', { method: 'PUT', token, json: body }), code);
    expect(await snapshot()).toBe(before);
  });

  it.each(badSessions)('POST /sessions refuses %s', async (_, body, code) => {
    await expectRefused(await app.request('/sessions', { method: 'POST', token: TEST_API_KEY, json: body }), code);
  });

  it.each(badAccountIds)('host routes refuse the account id %s', async (accountId) => {
    const before = await snapshot();
    for (const [method, path] of [['GET', `/accounts/${accountId}/settings`], ['POST', `/accounts/${accountId}/credentials`], ['DELETE', `/accounts/${accountId}`]] as const) {
      const response = await app.request(path, { method, token: TEST_API_KEY });
      expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
      expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
    }
    expect(await snapshot()).toBe(before);
  });

  it('treats an account id that is merely unknown as not configured', async () => {
    await expectRefused(await app.request('/accounts/globex/settings', { token: TEST_API_KEY }), 'NOT_CONFIGURED');
    await expectRefused(await app.request('/accounts/globex/credentials', { method: 'POST', token: TEST_API_KEY }), 'NOT_CONFIGURED');
  });

  it.each([
    ['PUT', '/settings'],
    ['POST', '/sessions'],
  ])('%s %s refuses malformed JSON, a non-JSON body and a huge body', async (method, path) => {
    const auth = path === '/sessions' ? TEST_API_KEY : token;
    const before = await snapshot();
    for (const body of ['{', '{"email": }', "{'single': 'quotes'}", '\u0000', '{"a":1}{"b":2}']) {
      await expectRefused(await app.request(path, { method, token: auth, body, headers: { 'Content-Type': 'application/json' } }), 'INVALID_JSON');
    }
    await expectRefused(await app.request(path, { method, token: auth, body: 'email=a', headers: { 'Content-Type': 'text/plain' } }), 'UNSUPPORTED_MEDIA_TYPE');
    await expectRefused(await app.request(path, { method, token: auth, json: { ...valid(), fromName: 'x'.repeat(200_000) } }), 'PAYLOAD_TOO_LARGE');
    expect(await snapshot()).toBe(before);
  });

  it('saves non-ASCII where it is allowed and returns it intact', async () => {
    const other = await app.session('unicode');
    const body = { ...valid(), fromName: 'Support – 日本語 ✉️ Müller', auth: { method: 'password', password: 'pässwörd-日本' } };
    const response = await app.request('/settings', { method: 'PUT', token: other, json: body });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { fromName: string }).fromName).toBe('Support – 日本語 ✉️ Müller');
    const credentials = (await (await app.request('/accounts/unicode/credentials', { method: 'POST', token: TEST_API_KEY })).json()) as any;
    expect(credentials.imap.auth.pass).toBe('pässwörd-日本');
  });

  it('stores SQL metacharacters as plain text', async () => {
    const other = await app.session('sql');
    const sneaky = "Robert'); DROP TABLE email_settings;--";
    const response = await app.request('/settings', { method: 'PUT', token: other, json: { ...valid(), fromName: sneaky, imap: { ...valid().imap, username: sneaky } } });
    expect(response.status).toBe(200);
    const saved = (await (await app.request('/settings', { token: other })).json()) as any;
    expect(saved.fromName).toBe(sneaky);
    expect(saved.imap.username).toBe(sneaky);
  });

  it('never answers 5xx to arbitrary JSON on PUT /settings', async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ email: fc.jsonValue(), imap: fc.jsonValue(), smtp: fc.jsonValue(), auth: fc.jsonValue() }, { requiredKeys: [] }),
          fc.record({ imap: fc.record({ host: fc.string(), port: fc.oneof(fc.integer(), fc.double()), security: fc.string(), username: fc.string() }) }).map((r) => ({ ...valid(), ...r })),
        ),
        async (body) => {
          const response = await app.request('/settings', { method: 'PUT', token, json: body });
          if (response.status === 200) return; // a random body that happens to be valid
          expect(response.status).toBeLessThan(500);
          expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
        },
      ),
      { numRuns: 150 },
    );
    const changed = await snapshot();
    // Only a valid random body may have changed the row; the password must never be lost.
    if (changed !== before) expect(changed).toContain('"password_enc":"v1:');
  });

  it('never answers 5xx to arbitrary JSON on POST /sessions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const response = await app.request('/sessions', { method: 'POST', token: TEST_API_KEY, json: body });
        expect(response.status === 201 || (response.status >= 400 && response.status < 500)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

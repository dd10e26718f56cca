import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.js';
import { startMailServers, MAIL_TEST_HOSTS, type TestMailServers } from '../../testing/mail-servers.js';
import { startSilentListener } from '../../testing/listeners.js';
import type { MailTestLimits } from '../../mail/index.js';
import { useTestCa } from '../../testing/mail-tests.js';

const USER = 'alice@mail.test';
const PASSWORD = 'alice-password';

let mail: TestMailServers;
let app: TestApp;
let imap: { host: string; port: number; security: 'tls'; username: string };
let smtp: { host: string; port: number; security: 'starttls'; username: string };

/** The app's test service, rebuilt to trust the test CA and with short limits. */
function useMailTests(target: TestApp, limits: Partial<MailTestLimits> = {}): void {
  useTestCa(target, mail.ca.cert, { phaseTimeoutMs: 5000, timeoutMs: 15_000, ...limits });
}

async function post(token: string, json: unknown, target: TestApp = app) {
  const response = await target.request('/test', { method: 'POST', token, json });
  return { status: response.status, body: (await response.json()) as any };
}

beforeAll(async () => {
  mail = await startMailServers({
    dovecot: { introspect: (token) => (token === 'valid-token' ? { active: true, username: USER } : { active: false }) },
    smtp: { tokens: { 'valid-token': USER } },
    // Stand-ins for Google's servers: an OAuth token is only ever sent to the provider's own hosts.
    extraNames: ['imap.gmail.com', 'smtp.gmail.com'],
  });
  app = await createTestApp(mail.env);
  useMailTests(app);
  imap = { host: MAIL_TEST_HOSTS.imap, port: mail.dovecot.imapsPort, security: 'tls', username: USER };
  smtp = { host: MAIL_TEST_HOSTS.smtp, port: mail.smtp.port, security: 'starttls', username: USER };
});

afterAll(async () => {
  await app?.close();
  await mail?.stop();
});

describe('POST /test', () => {
  it('tests IMAP and SMTP in parallel and never echoes the password', async () => {
    const token = await app.session('acct-ok');
    const { status, body } = await post(token, { imap, smtp, auth: { method: 'password', password: PASSWORD } });
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.imap).toMatchObject({ ok: true, messages: 2 });
    expect(body.smtp.ok).toBe(true);
    expect(body.imap.phases.map((p: { name: string }) => p.name)).toEqual(['resolve', 'connect', 'tls', 'greeting', 'authenticate', 'inbox']);
    expect(JSON.stringify(body)).not.toContain(PASSWORD);
    expect(app.logLines.join('\n')).not.toContain(PASSWORD);
  });

  it('the audit log records which servers each test connected to — host, port, the address — and never a secret', async () => {
    const token = await app.session('acct-audit-hosts');
    await post(token, { imap, smtp, auth: { method: 'password', password: PASSWORD } });
    const rows = await app.services.database.db.selectFrom('audit_log').selectAll().where('account_id', '=', 'acct-audit-hosts').where('action', '=', 'mail.test').execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.detail!)).toMatchObject({
      servers: {
        imap: { host: MAIL_TEST_HOSTS.imap, port: mail.dovecot.imapsPort, address: '127.0.0.1' },
        smtp: { host: MAIL_TEST_HOSTS.smtp, port: mail.smtp.port, address: '127.0.0.1' },
      },
    });
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
  });

  it('checks only the protocol given, and the answer leaves the other out', async () => {
    const token = await app.session('acct-imap-only');
    const { body } = await post(token, { imap, auth: { method: 'password', password: PASSWORD } });
    expect(body.ok).toBe(true);
    expect(Object.keys(body).sort()).toEqual(['imap', 'ok']);
  });

  it('a failed sign-in is HTTP 200 with ok false, a code, a field and steps', async () => {
    const token = await app.session('acct-bad-password');
    const { status, body } = await post(token, { imap, smtp, auth: { method: 'password', password: 'wrong-password' } });
    expect(status).toBe(200);
    expect(body.ok).toBe(false);
    for (const protocol of ['imap', 'smtp']) {
      expect(body[protocol].error).toMatchObject({ code: 'AUTH_FAILED', field: 'auth.password' });
      expect(body[protocol].error.steps.length).toBeGreaterThan(0);
    }
  });

  it('a refused separate SMTP password points at auth.smtpPassword', async () => {
    const token = await app.session('acct-smtp-password');
    const { body } = await post(token, { imap, smtp, auth: { method: 'password', password: PASSWORD, smtpPassword: 'wrong-smtp-password' } });
    expect(body.imap.ok).toBe(true);
    expect(body.smtp.error).toMatchObject({ code: 'AUTH_FAILED', field: 'auth.smtpPassword' });
  });

  it('streams phases as server-sent events, then the result', async () => {
    const token = await app.session('acct-sse');
    const response = await app.request('/test', {
      method: 'POST',
      token,
      json: { imap, smtp, auth: { method: 'password', password: PASSWORD } },
      headers: { Accept: 'text/event-stream' },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    const phases = events.filter((e) => e.event === 'phase').map((e) => e.data);
    const result = events.find((e) => e.event === 'result')!.data;
    expect(events.at(-1)!.event).toBe('result');
    expect(phases.filter((p) => p.protocol === 'imap').map((p) => p.name)).toEqual(result.imap.phases.map((p: { name: string }) => p.name));
    expect(phases.filter((p) => p.protocol === 'smtp').map((p) => p.name)).toEqual(result.smtp.phases.map((p: { name: string }) => p.name));
    expect(result.ok).toBe(true);
  });

  it('uses the saved settings and password when the body leaves them out, and saves the outcome', async () => {
    const token = await app.session('acct-saved');
    const put = await app.request('/settings', {
      method: 'PUT',
      token,
      json: { email: USER, imap, smtp, auth: { method: 'password', password: PASSWORD } },
    });
    expect(put.status).toBe(200);
    const { body } = await post(token, {});
    expect(body).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });
    const saved = (await (await app.request('/settings', { token })).json()) as any;
    expect(saved.status).toBe('connected');
    expect(saved.lastTest).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });

    // A test of other servers is not recorded on the saved ones.
    const other = await post(token, { imap: { ...imap, port: mail.dovecot.imapPort, security: 'starttls' }, auth: { method: 'password', password: 'wrong' } });
    expect(other.body.ok).toBe(false);
    const after = (await (await app.request('/settings', { token })).json()) as any;
    expect(after.lastTest.ok).toBe(true);
  });

  it('a passing test of settings not yet saved becomes their last test when exactly those are saved', async () => {
    const token = await app.session('acct-test-then-save');
    const auth = { method: 'password', password: PASSWORD };
    expect((await post(token, { imap, smtp, auth })).body.ok).toBe(true);
    const saved = (await (await app.request('/settings', { method: 'PUT', token, json: { email: USER, imap, smtp, auth } })).json()) as any;
    expect(saved.status).toBe('connected');
    expect(saved.lastTest).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });

    // Saving other credentials than the tested ones does not borrow that test.
    const other = await app.session('acct-test-then-save-other');
    expect((await post(other, { imap, smtp, auth })).body.ok).toBe(true);
    const changed = (await (
      await app.request('/settings', { method: 'PUT', token: other, json: { email: USER, imap, smtp, auth: { method: 'password', password: 'not-what-was-tested' } } })
    ).json()) as any;
    expect(changed.status).toBe('untested');
    expect(changed.lastTest).toBeNull();
  });

  it('OAuth: takes a token from the token service and signs in with XOAUTH2 on both servers', async () => {
    const accountId = 'acct-oauth';
    await app.services.oauth.credentials.upsert({
      accountId,
      provider: 'google',
      email: USER,
      tokens: { accessToken: 'valid-token', refreshToken: 'refresh-1', expiresAt: Date.now() + 3600_000 },
    });
    const token = await app.session(accountId);
    const gmail = { imap: { ...imap, host: 'imap.gmail.com' }, smtp: { ...smtp, host: 'smtp.gmail.com' } };
    const { body } = await post(token, { ...gmail, auth: { method: 'oauth', provider: 'google' } });
    expect(body).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });
    expect(JSON.stringify(body)).not.toContain('valid-token');
    expect(mail.smtp.authAttempts.at(-1)).toEqual({ method: 'XOAUTH2', username: USER });
  });

  it('OAuth without a connection for that provider → 409 OAUTH_NOT_CONNECTED', async () => {
    const token = await app.session('acct-no-oauth');
    const { status, body } = await post(token, { imap: { ...imap, host: 'outlook.office365.com' }, auth: { method: 'oauth', provider: 'microsoft' } });
    expect(status).toBe(409);
    expect(body.error).toMatchObject({ code: 'OAUTH_NOT_CONNECTED', field: 'auth.provider' });
  });

  it('limits tests per session: 429 RATE_LIMITED with a sentence', async () => {
    const limited = await createTestApp(mail.env);
    try {
      useMailTests(limited, { perSession: { limit: 2, windowMs: 60_000 } });
      const token = await limited.session('acct-limited');
      const body = { imap: { ...imap, port: 1 }, auth: { method: 'password', password: 'x' } };
      for (let i = 0; i < 2; i += 1) expect((await post(token, body, limited)).status).toBe(200);
      const refused = await post(token, body, limited);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(refused.body.error.message).toMatch(/try again in \d+ seconds/);
    } finally {
      await limited.close();
    }
  });

  it('limits tests per target host across sessions', async () => {
    const limited = await createTestApp(mail.env);
    try {
      useMailTests(limited, { perHost: { limit: 1, windowMs: 60_000 } });
      const body = { imap: { ...imap, port: 1 }, auth: { method: 'password', password: 'x' } };
      expect((await post(await limited.session('acct-h1'), body, limited)).status).toBe(200);
      expect((await post(await limited.session('acct-h2'), body, limited)).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it.each([
    ['no JSON object', 'null', 'VALIDATION_ERROR'],
    ['invalid JSON', '{"imap":', 'INVALID_JSON'],
    ['an unknown field', JSON.stringify({ imapp: {} }), 'UNKNOWN_FIELD'],
    ['a port out of range', JSON.stringify({ imap: { host: 'imap.mail.test', port: 70000, security: 'tls', username: USER } }), 'VALIDATION_ERROR'],
    ['an unknown security', JSON.stringify({ imap: { host: 'imap.mail.test', port: 993, security: 'ssl', username: USER } }), 'VALIDATION_ERROR'],
    ['a bad host name', JSON.stringify({ imap: { host: 'imap mail test', port: 993, security: 'tls', username: USER } }), 'VALIDATION_ERROR'],
    ['a bad sendTestTo', JSON.stringify({ sendTestTo: 'not an address' }), 'VALIDATION_ERROR'],
    ['an unknown auth method', JSON.stringify({ auth: { method: 'kerberos' } }), 'VALIDATION_ERROR'],
    ['nothing to test and nothing saved', '{}', 'MISSING_FIELD'],
    ['no auth and nothing saved', JSON.stringify({ imap: { host: 'imap.mail.test', port: 993, security: 'tls', username: USER } }), 'MISSING_FIELD'],
    ['no password and nothing saved', JSON.stringify({ imap: { host: 'imap.mail.test', port: 993, security: 'tls', username: USER }, auth: { method: 'password' } }), 'PASSWORD_REQUIRED'],
  ])('refuses %s with a 400 envelope', async (_label, body, code) => {
    const token = await app.session('acct-bad-input');
    const response = await app.request('/test', { method: 'POST', token, body, headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.code).toBe(code);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as any;
    expect(doc.paths['/test'].post.requestBody).toBeDefined();
    expect(doc.components.schemas.ConnectionTestResult).toBeDefined();
  });

  it('needs a session token', async () => {
    const response = await app.request('/test', { method: 'POST', json: { imap } });
    expect(response.status).toBe(401);
  });
});

describe('POST /test with private networks disallowed', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({ EMAIL_WIZARD_DNS_SERVERS: mail.env.EMAIL_WIZARD_DNS_SERVERS });
    useMailTests(strict);
  });
  afterAll(() => strict?.close());

  it('refuses a password over a plaintext connection: 400 INSECURE_CONNECTION', async () => {
    const token = await strict.session('acct-plain');
    const response = await strict.request('/test', {
      method: 'POST',
      token,
      json: { imap: { ...imap, port: 143, security: 'none' }, auth: { method: 'password', password: PASSWORD } },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error).toMatchObject({ code: 'INSECURE_CONNECTION', field: 'imap.security' });
  });

  const attempt = async (token: string, host: string, port: number) => {
    const response = await strict.request('/test', {
      method: 'POST',
      token,
      json: { imap: { ...imap, host, port }, smtp: { ...smtp, host, port }, auth: { method: 'password', password: PASSWORD } },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as any;
  };

  it('a loopback address (however spelled) or localhost is BLOCKED_ADDRESS (200, ok false) and no connection is ever made', async () => {
    const counting = await startSilentListener();
    try {
      const token = await strict.session('acct-blocked');
      for (const host of ['127.0.0.1', '2130706433', '::ffff:7f00:1', '::7f00:1', 'localhost', 'imap.localhost']) {
        const body = await attempt(token, host, 993);
        expect(body.ok).toBe(false);
        expect(body.imap.error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'imap.host' });
        expect(body.smtp.error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'smtp.host' });
      }
      expect(counting.connections).toBe(0);
    } finally {
      await counting.stop();
    }
  });

  it('a name that resolves only to blocked addresses answers exactly like a name that does not exist (no probe of internal names)', async () => {
    const counting = await startSilentListener();
    try {
      const token = await strict.session('acct-probe');
      const internal = await attempt(token, MAIL_TEST_HOSTS.imap, 993); // resolves to 127.0.0.1
      const missing = await attempt(token, 'nothing.mail.test', 993); // NXDOMAIN
      const strip = (body: any, host: string) => JSON.parse(JSON.stringify(body).replaceAll(host, '<host>').replace(/"ms":\d+/g, '"ms":0'));
      expect(internal.imap.error.code).toBe('DNS_NOT_FOUND');
      expect(strip(internal, MAIL_TEST_HOSTS.imap)).toEqual(strip(missing, 'nothing.mail.test'));
      expect(JSON.stringify(internal)).not.toContain('127.0.0.1');
      expect(counting.connections).toBe(0);
    } finally {
      await counting.stop();
    }
  });
});

function parseSse(text: string): Array<{ event: string; data: any }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim() ?? 'message';
      const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
      return { event, data: JSON.parse(data) };
    });
}

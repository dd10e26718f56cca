import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../auth/session-tokens.js';
import { createTestApp, TEST_API_KEY, type TestApp } from '../../testing/app.js';
import { LOOKED_UP_ONLY_IMAP_ADDRESS, LOOKED_UP_ONLY_SMTP_ADDRESS, startDnsServer, type TestDnsServer } from '../../testing/dns-server.js';

const PASSWORD = 'Tr0ub4dor&3-päss';
const settings = (overrides: Record<string, unknown> = {}) => ({
  email: 'support@acme.test',
  imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
  smtp: { host: 'smtp.acme.test', port: 587, security: 'starttls', username: 'support@acme.test' },
  auth: { method: 'password', password: PASSWORD },
  fromName: 'Acme Support – Müller',
  checkIntervalSeconds: 120,
  ...overrides,
});

describe('settings API', () => {
  let app: TestApp;
  let acme: string;
  let dns: TestDnsServer;

  beforeAll(async () => {
    // The credentials call checks the saved names again (a dead DNS would be 503 HOST_CHECK_UNAVAILABLE):
    // they resolve to public addresses that are only looked up — nothing in this file connects anywhere.
    dns = await startDnsServer({ 'imap.acme.test': { A: [LOOKED_UP_ONLY_IMAP_ADDRESS] }, 'smtp.acme.test': { A: [LOOKED_UP_ONLY_SMTP_ADDRESS] } });
    app = await createTestApp({ EMAIL_WIZARD_ALLOWED_ORIGINS: 'https://helpdesk.example.com', EMAIL_WIZARD_DNS_SERVERS: dns.address });
    acme = await app.session('acme');
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
  });

  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, any> });

  describe('session tokens on widget routes', () => {
    it('refuses a missing token', async () => {
      expect(await json(await app.request('/settings'))).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    });

    it('refuses an expired token', async () => {
      const past = new SessionTokens(app.services.config.sessionSecret, () => Date.now() - 2 * 3600_000);
      const { token } = past.issue({ accountId: 'acme', ttlSeconds: 3600 });
      expect(await json(await app.request('/settings', { token }))).toMatchObject({ status: 401, body: { error: { code: 'SESSION_EXPIRED', message: expect.stringMatching(/expired/) } } });
    });

    it('refuses a tampered token, and one signed by another server', async () => {
      const [prefix, body, signature] = acme.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
      const forged = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, acc: 'globex' })).toString('base64url')}.${signature}`;
      expect(await json(await app.request('/settings', { token: forged }))).toMatchObject({ status: 401, body: { error: { code: 'INVALID_SESSION' } } });
      const foreign = new SessionTokens(Buffer.alloc(32, 7)).issue({ accountId: 'acme', ttlSeconds: 60 }).token;
      expect(await json(await app.request('/settings', { token: foreign }))).toMatchObject({ status: 401, body: { error: { code: 'INVALID_SESSION' } } });
    });

    it('refuses the host API key in place of a session token', async () => {
      expect((await app.request('/settings', { token: TEST_API_KEY })).status).toBe(401);
    });

    it('binds a token to its origin: 403 from another site, fine from its own', async () => {
      const bound = await app.session('acme', { origin: 'https://helpdesk.example.com' });
      const other = await app.request('/settings', { token: bound, headers: { Origin: 'https://evil.example.com' } });
      expect(await json(other)).toMatchObject({ status: 403, body: { error: { code: 'ORIGIN_MISMATCH' } } });
      const own = await app.request('/settings', { token: bound, headers: { Origin: 'https://helpdesk.example.com' } });
      expect(own.status).toBe(404);
    });
  });

  describe('host API key on host routes', () => {
    it('refuses a missing or wrong key, and a session token', async () => {
      expect(await json(await app.request('/accounts/acme/settings'))).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
      expect(await json(await app.request('/accounts/acme/settings', { token: 'wrong-key' }))).toMatchObject({ status: 401, body: { error: { code: 'INVALID_API_KEY' } } });
      expect((await app.request('/accounts/acme/settings', { token: acme })).status).toBe(401);
      expect((await app.request('/sessions', { method: 'POST', token: acme, json: { accountId: 'acme' } })).status).toBe(401);
      expect((await app.request('/accounts/acme/credentials', { method: 'POST', headers: { Authorization: `Basic ${TEST_API_KEY}` } })).status).toBe(401);
    });

    it('mints a token with the requested lifetime', async () => {
      const before = Date.now();
      const { status, body } = await json(await app.request('/sessions', { method: 'POST', token: TEST_API_KEY, json: { accountId: 'acme', ttlSeconds: 600 } }));
      expect(status).toBe(201);
      const expiresAt = Date.parse(body.expiresAt);
      expect(expiresAt - before).toBeGreaterThan(590_000);
      expect(expiresAt - before).toBeLessThanOrEqual(601_000);
      expect(app.services.sessions.verify(body.token).accountId).toBe('acme');
    });
  });

  describe('password settings end to end', () => {
    it('says NOT_CONFIGURED before anything is saved (204 without a body for the widget\'s ?optional=true)', async () => {
      expect(await json(await app.request('/settings', { token: acme }))).toMatchObject({ status: 404, body: { error: { code: 'NOT_CONFIGURED' } } });
      const optional = await app.request('/settings?optional=true', { token: acme });
      expect(optional.status).toBe(204);
      expect(await optional.text()).toBe('');
      expect((await app.request('/settings?optional=yes', { token: acme })).status).toBe(400);
      expect((await app.request('/accounts/acme/settings', { token: TEST_API_KEY })).status).toBe(404);
      expect((await app.request('/accounts/acme/credentials', { method: 'POST', token: TEST_API_KEY })).status).toBe(404);
    });

    it('saves with PUT, storing the password only encrypted', async () => {
      const response = await app.request('/settings', { method: 'PUT', token: acme, json: settings() });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).not.toContain(PASSWORD);
      expect(JSON.parse(text)).toMatchObject({
        accountId: 'acme',
        auth: { method: 'password', hasPassword: true, hasSmtpPassword: false },
        fromName: 'Acme Support – Müller',
        checkIntervalSeconds: 120,
        deleteAfterProcessing: false,
        status: 'untested',
        lastTest: null,
      });
      const row = await app.services.database.db.selectFrom('email_settings').selectAll().where('account_id', '=', 'acme').executeTakeFirstOrThrow();
      expect(row.password_enc).toMatch(/^v1:t1:/);
      expect(row.password_enc).not.toContain(PASSWORD);
      expect(app.services.keyring.decrypt(row.password_enc!, { accountId: 'acme', column: 'email_settings.password_enc' })).toBe(PASSWORD);
    });

    it('never returns the password from GET, to the widget or the host', async () => {
      for (const response of [await app.request('/settings', { token: acme }), await app.request('/accounts/acme/settings', { token: TEST_API_KEY })]) {
        const text = await response.text();
        expect(response.status).toBe(200);
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain('password_enc');
        expect(JSON.parse(text).auth).toEqual({ method: 'password', hasPassword: true, hasSmtpPassword: false });
      }
    });

    it('hands the host imapflow- and nodemailer-ready options with the password, not cacheable', async () => {
      const response = await app.request('/accounts/acme/credentials', { method: 'POST', token: TEST_API_KEY });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        // The checked address, with the saved name for TLS (SNI and the certificate check).
        imap: { host: LOOKED_UP_ONLY_IMAP_ADDRESS, servername: 'imap.acme.test', port: 993, secure: true, auth: { user: 'support@acme.test', pass: PASSWORD } },
        smtp: { host: LOOKED_UP_ONLY_SMTP_ADDRESS, servername: 'smtp.acme.test', port: 587, secure: false, requireTLS: true, auth: { user: 'support@acme.test', pass: PASSWORD } },
      });
    });

    it('keeps the saved password when a later PUT leaves it out, and takes a separate SMTP password', async () => {
      const kept = await app.request('/settings', { method: 'PUT', token: acme, json: settings({ auth: { method: 'password' }, fromName: null }) });
      expect(await json(kept)).toMatchObject({ status: 200, body: { auth: { hasPassword: true }, fromName: null } });
      await app.request('/settings', { method: 'PUT', token: acme, json: settings({ auth: { method: 'password', smtpPassword: 'smtp-only-secret' } }) });
      const credentials = (await (await app.request('/accounts/acme/credentials', { method: 'POST', token: TEST_API_KEY })).json()) as any;
      expect(credentials.imap.auth.pass).toBe(PASSWORD);
      expect(credentials.smtp.auth.pass).toBe('smtp-only-secret');
    });

    it('records the save in the audit log without the secret', async () => {
      const entries = await app.services.database.db.selectFrom('audit_log').selectAll().where('account_id', '=', 'acme').execute();
      // Routine credential reads are counted per day, not logged one by one (server/store/audit.ts).
      expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['session.create', 'settings.save']));
      expect(JSON.stringify(entries)).not.toContain(PASSWORD);
      expect(JSON.stringify(entries)).not.toContain('smtp-only-secret');
    });

    it('keeps accounts apart: another account sees nothing and cannot change this one', async () => {
      const globex = await app.session('globex');
      expect((await app.request('/settings', { token: globex })).status).toBe(404);
      expect((await app.request('/settings', { method: 'DELETE', token: globex })).status).toBe(200);
      const put = await app.request('/settings', { method: 'PUT', token: globex, json: { ...settings(), accountId: 'acme' } });
      expect(await json(put)).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_FIELD', field: 'accountId' } } });
      const acmeNow = (await (await app.request('/settings', { token: acme })).json()) as any;
      expect(acmeNow.email).toBe('support@acme.test');
    });

    it('needs a password on first save', async () => {
      const fresh = await app.session('newcomer');
      const response = await app.request('/settings', { method: 'PUT', token: fresh, json: settings({ auth: { method: 'password' } }) });
      expect(await json(response)).toMatchObject({ status: 400, body: { error: { code: 'PASSWORD_REQUIRED', field: 'auth.password' } } });
    });

    it('refuses a password over an unencrypted connection', async () => {
      const response = await app.request('/settings', { method: 'PUT', token: acme, json: settings({ smtp: { host: 'smtp.acme.test', port: 25, security: 'none', username: 'u' } }) });
      expect(await json(response)).toMatchObject({ status: 400, body: { error: { code: 'INSECURE_CONNECTION', field: 'smtp.security' } } });
    });

    it('refuses OAuth settings before an OAuth connection exists', async () => {
      const gmail = {
        imap: { host: 'imap.gmail.com', port: 993, security: 'tls', username: 'support@acme.test' },
        smtp: { host: 'smtp.gmail.com', port: 587, security: 'starttls', username: 'support@acme.test' },
      };
      const response = await app.request('/settings', { method: 'PUT', token: acme, json: settings({ ...gmail, auth: { method: 'oauth', provider: 'google' } }) });
      expect(await json(response)).toMatchObject({ status: 409, body: { error: { code: 'OAUTH_NOT_CONNECTED' } } });
    });

    it('DELETE /settings forgets the mailbox and its secrets', async () => {
      expect(await json(await app.request('/settings', { method: 'DELETE', token: acme }))).toEqual({ status: 200, body: { deleted: true } });
      expect((await app.request('/settings', { token: acme })).status).toBe(404);
      expect(await json(await app.request('/settings', { method: 'DELETE', token: acme }))).toEqual({ status: 200, body: { deleted: false } });
      const rows = await app.services.database.db.selectFrom('email_settings').select('account_id').where('account_id', '=', 'acme').execute();
      expect(rows).toEqual([]);
    });

    it('DELETE /accounts/:id does the same for the host', async () => {
      await app.request('/settings', { method: 'PUT', token: acme, json: settings() });
      expect(await json(await app.request('/accounts/acme', { method: 'DELETE', token: TEST_API_KEY }))).toEqual({ status: 200, body: { deleted: true } });
      expect((await app.request('/accounts/acme/settings', { token: TEST_API_KEY })).status).toBe(404);
    });
  });
});

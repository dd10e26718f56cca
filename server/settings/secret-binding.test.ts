import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { startMailServers, MAIL_TEST_HOSTS, type TestMailServers } from '../testing/mail-servers.js';
import { startRecordingImapListener, startSilentListener, type CountingListener, type RecordingImapListener } from '../testing/listeners.js';
import { createTestCa } from '../testing/certs.js';
import { startMailGreeter } from '../testing/mail-greeter.js';

/**
 * The credential-exfiltration attacks of issue 11, through the HTTP API: a widget session tries to
 * have the account's saved password, SMTP password or live OAuth token sent to a server of its own
 * choosing. The attacker's servers record what they receive and must receive nothing.
 * Stand-ins for imap.gmail.com / smtp.gmail.com are local Dovecot and SMTP servers reached through
 * the test DNS server, with certificates from the test CA (never a loosened host list).
 */

const USER = 'alice@mail.test';
const SAVED_PASSWORD = 'alice-password'; // the stand-in servers' real password for alice
const SAVED_SMTP_PASSWORD = 'saved-smtp-secret-Pa55';
const EVIL = 'evil.mail.test';
const GMAIL = { imap: 'imap.gmail.com', smtp: 'smtp.gmail.com' };

let mail: TestMailServers;
let app: TestApp;
let evilImap: RecordingImapListener;
let evilSmtp: CountingListener;
let imap: { host: string; port: number; security: 'tls'; username: string };
let smtp: { host: string; port: number; security: 'starttls'; username: string };
let accountCounter = 0;

beforeAll(async () => {
  mail = await startMailServers({
    dovecot: { introspect: (token) => (token === 'live-access-token' ? { active: true, username: USER } : { active: false }) },
    smtp: { tokens: { 'live-access-token': USER } },
    extraNames: [EVIL, GMAIL.imap, GMAIL.smtp],
  });
  app = await createTestApp(mail.env, { ca: mail.ca.cert });
  imap = { host: MAIL_TEST_HOSTS.imap, port: mail.dovecot.imapsPort, security: 'tls', username: USER };
  smtp = { host: MAIL_TEST_HOSTS.smtp, port: mail.smtp.port, security: 'starttls', username: USER };
  evilImap = await startRecordingImapListener();
  evilSmtp = await startSilentListener({ greeting: '220 evil ESMTP\r\n' });
});

afterAll(async () => {
  await app?.close();
  await evilImap?.stop();
  await evilSmtp?.stop();
  await mail?.stop();
});

const evil = () => ({
  imap: { host: EVIL, port: evilImap.port, security: 'none' as const, username: USER },
  smtp: { host: EVIL, port: evilSmtp.port, security: 'none' as const, username: USER },
});

/** A fresh account with password settings saved (and, when asked, a separate SMTP password). */
async function savedPasswordAccount(options: { smtpPassword?: boolean } = {}): Promise<{ accountId: string; token: string }> {
  const accountId = `victim-${(accountCounter += 1)}`;
  const token = await app.session(accountId);
  const auth = { method: 'password', password: SAVED_PASSWORD, ...(options.smtpPassword ? { smtpPassword: SAVED_SMTP_PASSWORD } : {}) };
  const response = await app.request('/settings', { method: 'PUT', token, json: { email: USER, imap, smtp, auth } });
  expect(response.status).toBe(200);
  return { accountId, token };
}

async function call(method: 'POST' | 'PUT', path: string, token: string, json: unknown) {
  const response = await app.request(path, { method, token, json });
  return { status: response.status, body: (await response.json()) as any };
}

/** The attacker's listeners' counts when a test begins: whatever follows must add nothing. */
function evidence() {
  const imapConnections = evilImap.connections;
  const imapLines = evilImap.lines.length;
  const smtpConnections = evilSmtp.connections;
  return {
    expectNothingReceived() {
      expect(evilImap.connections - imapConnections).toBe(0);
      expect(evilImap.lines.slice(imapLines)).toEqual([]);
      expect(evilSmtp.connections - smtpConnections).toBe(0);
    },
  };
}

describe('a saved password stays with the host, port and user name it was saved with', () => {
  it('control: a password the person types goes where they say (the attacker listener does see it)', async () => {
    const { token } = await savedPasswordAccount();
    const before = evilImap.connections;
    const answer = await call('POST', '/test', token, { imap: evil().imap, auth: { method: 'password', password: 'typed-by-the-user' } });
    expect(answer.status).toBe(200);
    expect(evilImap.connections).toBe(before + 1);
    expect(evilImap.saw('typed-by-the-user')).toBe(true);
    expect(evilImap.saw(SAVED_PASSWORD)).toBe(false);
  });

  it('POST /test naming other servers without a password: 400 PASSWORD_REQUIRED, nothing sent anywhere', async () => {
    const { token } = await savedPasswordAccount({ smtpPassword: true });
    const attacker = evidence();
    const attacks = [
      { body: { ...evil(), auth: { method: 'password' } }, field: 'auth.password' },
      { body: { ...evil() }, field: 'auth.password' }, // auth left out: "use what is saved"
      { body: { imap: { ...imap, host: EVIL, port: evilImap.port, security: 'none' } }, field: 'auth.password' },
      { body: { imap: { ...imap, port: mail.dovecot.imapPort, security: 'starttls' } }, field: 'auth.password' }, // same host, other port
      { body: { imap: { ...imap, username: 'someone-else@mail.test' } }, field: 'auth.password' }, // same server, other user
      { body: { smtp: evil().smtp, auth: { method: 'password' } }, field: 'auth.smtpPassword' },
      { body: { smtp: { ...smtp, port: mail.smtp.securePort, security: 'tls' } }, field: 'auth.smtpPassword' },
      // Bringing only an SMTP password does not unlock the saved IMAP password for another host.
      { body: { imap: evil().imap, auth: { method: 'password', smtpPassword: 'x' } }, field: 'auth.password' },
    ];
    for (const { body, field } of attacks) {
      const answer = await call('POST', '/test', token, body);
      expect({ body, status: answer.status, code: answer.body.error?.code, field: answer.body.error?.field }).toEqual({
        body,
        status: 400,
        code: 'PASSWORD_REQUIRED',
        field,
      });
      expect(JSON.stringify(answer.body)).not.toContain(SAVED_PASSWORD);
    }
    attacker.expectNothingReceived();
    expect(evilImap.saw(SAVED_PASSWORD)).toBe(false);
    expect(evilImap.saw(SAVED_SMTP_PASSWORD)).toBe(false);
  });

  it('POST /test {} re-tests the saved settings, and a host spelled differently is still the saved one', async () => {
    const { token } = await savedPasswordAccount({ smtpPassword: false });
    const retest = await call('POST', '/test', token, {});
    expect(retest.body, JSON.stringify(retest.body)).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });
    const spelled = await call('POST', '/test', token, { imap: { ...imap, host: 'IMAP.Mail.Test.' }, auth: { method: 'password' } });
    expect(spelled.body).toMatchObject({ ok: true, imap: { ok: true } });
  });

  it('PUT /settings naming other servers keeps no saved password: 400 PASSWORD_REQUIRED, saved settings unchanged', async () => {
    const { accountId, token } = await savedPasswordAccount();
    const attacker = evidence();
    const attacks = [
      { json: { email: USER, ...evil(), auth: { method: 'password' } }, field: 'auth.password' },
      { json: { email: USER, imap, smtp: evil().smtp, auth: { method: 'password' } }, field: 'auth.smtpPassword' },
      { json: { email: USER, imap: { ...imap, username: 'other@mail.test' }, smtp, auth: { method: 'password' } }, field: 'auth.password' },
    ];
    for (const { json, field } of attacks) {
      const answer = await call('PUT', '/settings', token, json);
      expect({ status: answer.status, code: answer.body.error?.code, field: answer.body.error?.field }).toEqual({ status: 400, code: 'PASSWORD_REQUIRED', field });
    }
    // The host's fetcher still gets the saved server, never the attacker's.
    const credentials = (await (await app.request(`/accounts/${accountId}/credentials`, { method: 'POST', token: TEST_API_KEY })).json()) as any;
    expect(credentials.imap).toMatchObject({ servername: MAIL_TEST_HOSTS.imap, port: mail.dovecot.imapsPort, auth: { pass: SAVED_PASSWORD } });
    expect(credentials.smtp).toMatchObject({ servername: MAIL_TEST_HOSTS.smtp, port: mail.smtp.port });
    // Saving other servers with their own password is fine.
    const own = await call('PUT', '/settings', token, { email: USER, imap: { ...imap, port: mail.dovecot.imapPort, security: 'starttls' }, smtp, auth: { method: 'password', password: 'new-one' } });
    expect(own.status).toBe(200);
    attacker.expectNothingReceived();
  });
});

describe('an OAuth token goes only to its provider’s own mail hosts, over TLS', () => {
  async function oauthAccount(): Promise<string> {
    const accountId = `oauth-victim-${(accountCounter += 1)}`;
    await app.services.oauth.credentials.upsert({
      accountId,
      provider: 'google',
      email: USER,
      tokens: { accessToken: 'live-access-token', refreshToken: 'refresh-1', expiresAt: Date.now() + 3600_000 },
    });
    return app.session(accountId);
  }
  const gmail = () => ({
    imap: { host: GMAIL.imap, port: mail.dovecot.imapsPort, security: 'tls' as const, username: USER },
    smtp: { host: GMAIL.smtp, port: mail.smtp.port, security: 'starttls' as const, username: USER },
  });

  it('signs in with the live token at the stand-ins for imap.gmail.com and smtp.gmail.com', async () => {
    const token = await oauthAccount();
    const answer = await call('POST', '/test', token, { ...gmail(), auth: { method: 'oauth', provider: 'google' } });
    expect(answer.body).toMatchObject({ ok: true, imap: { ok: true }, smtp: { ok: true } });
    expect(JSON.stringify(answer.body)).not.toContain('live-access-token');
  });

  it('another host: 400 OAUTH_HOST_MISMATCH on /test and PUT /settings, and the token reaches nobody', async () => {
    const token = await oauthAccount();
    const attacker = evidence();
    for (const body of [
      { ...evil(), auth: { method: 'oauth', provider: 'google' } },
      { imap: { ...evil().imap, security: 'tls' }, auth: { method: 'oauth', provider: 'google' } },
      { smtp: { ...gmail().smtp, host: 'smtp.gmail.com.evil.mail.test' }, auth: { method: 'oauth', provider: 'google' } },
      // Microsoft's hosts are not Google's.
      { imap: { ...gmail().imap, host: 'outlook.office365.com' }, auth: { method: 'oauth', provider: 'google' } },
    ]) {
      const answer = await call('POST', '/test', token, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('OAUTH_HOST_MISMATCH');
      expect(answer.body.error.field).toMatch(/^(imap|smtp)\.host$/);
    }
    const put = await call('PUT', '/settings', token, { email: USER, ...evil(), auth: { method: 'oauth', provider: 'google' } });
    expect(put.body.error).toMatchObject({ code: 'OAUTH_HOST_MISMATCH', field: 'imap.host' });
    expect(put.status).toBe(400);
    attacker.expectNothingReceived();
    expect(evilImap.saw('live-access-token')).toBe(false);
  });

  it('the provider’s host with a certificate nobody trusts: refused even when untrusted certificates are allowed', async () => {
    const token = await oauthAccount();
    // A server answering for imap.gmail.com with a certificate from another CA (a man in the middle).
    const impostor = await startMailGreeter('imap', 'tls', createTestCa().issue([GMAIL.imap]));
    try {
      const answer = await call('POST', '/test', token, {
        imap: { ...gmail().imap, port: impostor.port },
        auth: { method: 'oauth', provider: 'google' },
        allowUntrustedCertificates: true,
      });
      expect(answer.status).toBe(200);
      expect(answer.body.imap).toMatchObject({ ok: false, error: { code: 'TLS_CERT_INVALID' } });
      expect(impostor.commands.join('\n')).not.toContain('live-access-token');
      expect(impostor.commands.filter((line) => /AUTHENTICATE|LOGIN/i.test(line))).toEqual([]);
    } finally {
      await impostor.close();
    }
  });

  it('the provider’s host without TLS: 400 INSECURE_CONNECTION, even where private networks are allowed', async () => {
    const token = await oauthAccount();
    const plain = { imap: { ...gmail().imap, port: mail.dovecot.imapPort, security: 'none' }, auth: { method: 'oauth', provider: 'google' } };
    const answer = await call('POST', '/test', token, plain);
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'INSECURE_CONNECTION', field: 'imap.security' } } });
    const put = await call('PUT', '/settings', token, { email: USER, ...gmail(), smtp: { ...gmail().smtp, security: 'none' }, auth: { method: 'oauth', provider: 'google' } });
    expect(put).toMatchObject({ status: 400, body: { error: { code: 'INSECURE_CONNECTION', field: 'smtp.security' } } });
  });
});

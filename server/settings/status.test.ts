import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { MAIL_TEST_HOSTS, startMailServers, type TestMailServers } from '../testing/mail-servers.js';
import { useTestCa } from '../testing/mail-tests.js';

/**
 * Issue 12 §1: `status` is the truth about exactly what is saved. Through the HTTP API against
 * real Dovecot and smtp-server; every step also asks the host's credentials endpoint and signs in
 * with what it hands out, so `connected` is checked against the real server, not just a flag.
 */
const USER = 'alice@mail.test';
const PASSWORD = 'alice-password';

let mail: TestMailServers;
let app: TestApp;

beforeAll(async () => {
  mail = await startMailServers();
  app = await createTestApp(mail.env);
  useTestCa(app, mail.ca.cert);
});
afterAll(async () => {
  await app?.close();
  await mail?.stop();
});

const imap = () => ({ host: MAIL_TEST_HOSTS.imap, port: mail.dovecot.imapsPort, security: 'tls' as const, username: USER });
const smtp = () => ({ host: MAIL_TEST_HOSTS.smtp, port: mail.smtp.port, security: 'starttls' as const, username: USER });
const settings = (password?: string, extra: Record<string, unknown> = {}) => ({
  email: USER,
  imap: imap(),
  smtp: smtp(),
  auth: password ? { method: 'password', password } : { method: 'password' },
  ...extra,
});

async function put(token: string, body: unknown) {
  const response = await app.request('/settings', { method: 'PUT', token, json: body });
  expect(response.status).toBe(200);
  return (await response.json()) as { status: string };
}
async function test(token: string, body: unknown = {}) {
  const response = await app.request('/test', { method: 'POST', token, json: body });
  expect(response.status).toBe(200);
  return (await response.json()) as { ok: boolean; imap?: { ok: boolean }; smtp?: { ok: boolean } };
}
async function status(accountId: string): Promise<string> {
  const response = await app.request(`/accounts/${accountId}/settings`, { token: TEST_API_KEY });
  return ((await response.json()) as { status: string }).status;
}
/** Signs in to Dovecot with exactly what the host's credentials endpoint hands out. */
async function hostCanSignIn(accountId: string): Promise<boolean> {
  const response = await app.request(`/accounts/${accountId}/credentials`, { method: 'POST', token: TEST_API_KEY });
  const { imap: options } = (await response.json()) as { imap: { auth: { user: string; pass: string } } };
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: mail.dovecot.imapsPort,
    secure: true,
    tls: { ca: [mail.ca.cert], servername: MAIL_TEST_HOSTS.imap },
    auth: options.auth,
    logger: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.logout();
    return true;
  } catch {
    return false;
  }
}

/** A saved account whose last test of exactly these values passed. */
async function connected(accountId: string): Promise<string> {
  const token = await app.session(accountId);
  expect((await test(token, settings(PASSWORD))).ok).toBe(true);
  expect((await put(token, settings(PASSWORD))).status).toBe('connected');
  expect(await hostCanSignIn(accountId)).toBe(true);
  return token;
}

describe('status says exactly what is true of the saved settings', () => {
  it('saving another (wrong) password without testing it → untested, and the host indeed cannot sign in', async () => {
    const token = await connected('status-wrong-save');
    expect((await put(token, settings('wrong-password'))).status).toBe('untested');
    expect(await status('status-wrong-save')).toBe('untested');
    expect(await hostCanSignIn('status-wrong-save')).toBe(false);
  });

  it('testing a typed but unsaved password does not change the saved account\'s status', async () => {
    const token = await connected('status-typed');
    const typed = await test(token, settings('typed-not-saved'));
    expect(typed.ok).toBe(false);
    expect(await status('status-typed')).toBe('connected');
    expect(await hostCanSignIn('status-typed')).toBe(true);
  });

  it('a failed re-test → failing; changing only the from-name afterwards keeps failing (no older test brings connected back)', async () => {
    const token = await connected('status-retest');
    mail.smtp.setAuthReply({ code: 535, message: '5.7.8 Authentication credentials invalid' });
    try {
      const retest = await test(token);
      expect(retest.smtp?.ok).toBe(false);
    } finally {
      mail.smtp.setAuthReply(null);
    }
    expect(await status('status-retest')).toBe('failing');
    expect((await put(token, settings(undefined, { fromName: 'Support team' }))).status).toBe('failing');
  });

  it('any change to host, port, security or user name → untested until a test of the new values passes', async () => {
    const token = await connected('status-change');
    const moved = { ...settings(PASSWORD), imap: { ...imap(), port: mail.dovecot.imapPort, security: 'starttls' } };
    expect((await put(token, moved)).status).toBe('untested');
    // Only IMAP was retested: SMTP's values did not change and keep their passing test, so both protocols pass.
    expect((await test(token, { imap: moved.imap })).ok).toBe(true);
    expect(await status('status-change')).toBe('connected');
  });

  it('a test of the values before the last change never counts for them again (A → B → A stays untested)', async () => {
    const token = await connected('status-aba');
    expect((await put(token, settings('wrong-password'))).status).toBe('untested');
    expect((await put(token, settings(PASSWORD))).status).toBe('untested');
    expect((await test(token)).ok).toBe(true);
    expect(await status('status-aba')).toBe('connected');
  });

  it('turning certificate checks off (or on) is a change too: untested until tested that way', async () => {
    const token = await connected('status-untrusted');
    // Turning checks off needs the password again (the saved one never goes to an unchecked peer).
    expect((await put(token, settings(PASSWORD, { allowUntrustedCertificates: true }))).status).toBe('untested');
    expect((await test(token)).ok).toBe(true);
    expect(await status('status-untrusted')).toBe('connected');
    expect((await put(token, settings(undefined, { allowUntrustedCertificates: false }))).status).toBe('untested');
  });

  it('a test that checked only one protocol never makes the account connected by itself', async () => {
    const token = await app.session('status-half');
    await put(token, settings(PASSWORD));
    expect((await test(token, { imap: imap() })).ok).toBe(true);
    expect(await status('status-half')).toBe('untested');
    expect((await test(token, { smtp: smtp() })).ok).toBe(true);
    expect(await status('status-half')).toBe('connected');
  });
});

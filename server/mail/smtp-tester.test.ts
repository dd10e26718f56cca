import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailServers, MAIL_TEST_HOSTS, type TestMailServers } from '../testing/mail-servers.js';
import { startSmtpServer, PROVIDER_REPLIES, type TestSmtpServer } from '../testing/smtp-server.js';
import { startSilentListener } from '../testing/listeners.js';
import { testSmtp, type SmtpTestOptions } from './smtp-tester.js';
import type { MailCredentials, MailServer } from './types.js';

const USER = 'alice@mail.test';
const password: MailCredentials = { kind: 'password', user: USER, password: 'alice-password' };
/** Provider host names the local DNS points at loopback, so their provider-specific steps can be checked. */
const PROVIDER_HOSTS = ['smtp.office365.com', 'smtp.gmail.com'];

let mail: TestMailServers;
let relay: TestSmtpServer;
let options: SmtpTestOptions;

const smtp = (port: number, security: MailServer['security'], host: string = MAIL_TEST_HOSTS.smtp): MailServer => ({ host, port, security, username: USER });

beforeAll(async () => {
  mail = await startMailServers({ smtp: { tokens: { 'valid-token': USER } }, extraNames: PROVIDER_HOSTS });
  relay = await startSmtpServer({ ca: mail.ca, certNames: [MAIL_TEST_HOSTS.smtp], offerAuth: false });
  // Generous for success paths on a busy machine; the timeout tests set their own short limits.
  options = { phaseTimeoutMs: 5000, ca: mail.ca.cert };
});

afterAll(async () => {
  await mail?.stop();
  await relay?.stop();
});

describe('testSmtp against smtp-server', () => {
  it('signs in over implicit TLS and over STARTTLS, sending nothing', async () => {
    const before = mail.smtp.messages.length;
    const tls = await testSmtp(mail.network, smtp(mail.smtp.securePort, 'tls'), password, options);
    expect(tls.error).toBeUndefined();
    expect(tls.phases.map((p) => p.name)).toEqual(['resolve', 'connect', 'tls', 'greeting', 'authenticate']);
    const starttls = await testSmtp(mail.network, smtp(mail.smtp.port, 'starttls'), password, options);
    expect(starttls.ok).toBe(true);
    expect(starttls.phases.map((p) => p.name)).toEqual(['resolve', 'connect', 'greeting', 'starttls', 'authenticate']);
    expect(mail.smtp.messages.length).toBe(before);
  });

  it('sends a test message only when asked, to the given address', async () => {
    const result = await testSmtp(mail.network, smtp(mail.smtp.port, 'starttls'), password, { ...options, sendTestTo: 'bob@example.test' });
    expect(result.ok).toBe(true);
    expect(result.phases.at(-1)).toMatchObject({ name: 'send', ok: true });
    const message = mail.smtp.messages.at(-1)!;
    expect(message).toMatchObject({ from: USER, to: ['bob@example.test'] });
    expect(message.raw).toContain('Subject: Test message');
  });

  it('wrong password → AUTH_FAILED quoting the server', async () => {
    const result = await testSmtp(mail.network, smtp(mail.smtp.securePort, 'tls'), { ...password, password: 'nope' }, options);
    expect(result.error).toMatchObject({ code: 'AUTH_FAILED', field: 'auth.password' });
    expect(result.error!.message).toContain('5.7.8');
    expect(result.phases.at(-1)).toMatchObject({ name: 'authenticate', ok: false });
  });

  it('a server that does not offer AUTH → SMTP_AUTH_DISABLED', async () => {
    const result = await testSmtp(mail.network, smtp(relay.port, 'starttls'), password, options);
    expect(result.error).toMatchObject({ code: 'SMTP_AUTH_DISABLED', field: 'smtp.port' });
    expect(result.error!.message).toContain('does not offer authentication');
  });

  it("Microsoft's 535 5.7.139 → SMTP_AUTH_DISABLED with the admin setting to change", async () => {
    mail.smtp.setAuthReply(PROVIDER_REPLIES.microsoftSmtpAuthDisabled);
    try {
      const result = await testSmtp(mail.network, smtp(mail.smtp.securePort, 'tls', 'smtp.office365.com'), password, options);
      expect(result.error?.code).toBe('SMTP_AUTH_DISABLED');
      expect(result.error!.message).toContain('SmtpClientAuthentication is disabled');
      expect(result.error!.steps.join(' ')).toMatch(/Authenticated SMTP/);
      expect(result.error!.steps.join(' ')).toMatch(/SmtpClientAuthenticationDisabled \$false/);
    } finally {
      mail.smtp.setAuthReply(null);
    }
  });

  it("Gmail's 534 5.7.9 → APP_PASSWORD_REQUIRED with Google's steps", async () => {
    mail.smtp.setAuthReply(PROVIDER_REPLIES.gmailAppPasswordRequired);
    try {
      const result = await testSmtp(mail.network, smtp(mail.smtp.securePort, 'tls', 'smtp.gmail.com'), password, options);
      expect(result.error).toMatchObject({ code: 'APP_PASSWORD_REQUIRED', field: 'auth.password' });
      expect(result.error!.steps[0]).toContain('myaccount.google.com/apppasswords');
    } finally {
      mail.smtp.setAuthReply(null);
    }
  });

  it('XOAUTH2 through onAuth: a valid token signs in, another → OAUTH_TOKEN_INVALID', async () => {
    const good = await testSmtp(mail.network, smtp(mail.smtp.securePort, 'tls'), { kind: 'oauth', user: USER, accessToken: 'valid-token' }, options);
    expect(good.ok).toBe(true);
    expect(mail.smtp.authAttempts.at(-1)).toEqual({ method: 'XOAUTH2', username: USER });
    const bad = await testSmtp(mail.network, smtp(mail.smtp.securePort, 'tls'), { kind: 'oauth', user: USER, accessToken: 'expired-token' }, options);
    expect(bad.error?.code).toBe('OAUTH_TOKEN_INVALID');
  });

  it('a certificate for another name during STARTTLS → TLS_CERT_INVALID naming the certificate', async () => {
    const result = await testSmtp(mail.network, smtp(mail.smtp.port, 'starttls', MAIL_TEST_HOSTS.other), password, options);
    expect(result.error).toMatchObject({ code: 'TLS_CERT_INVALID', field: 'smtp.host' });
    expect(result.error!.message).toContain(MAIL_TEST_HOSTS.smtp);
    expect(result.phases.at(-1)).toMatchObject({ name: 'starttls', ok: false });
  });

  it('a listener that never greets → TIMEOUT at the greeting', async () => {
    const silent = await startSilentListener();
    try {
      const result = await testSmtp(mail.network, smtp(silent.port, 'starttls'), password, { ...options, phaseTimeoutMs: 300 });
      expect(result.error?.code).toBe('TIMEOUT');
      expect(result.phases.at(-1)).toMatchObject({ name: 'greeting', ok: false });
    } finally {
      await silent.stop();
    }
  });

  it("another protocol's banner → PROTOCOL_ERROR quoting it", async () => {
    const ssh = await startSilentListener({ greeting: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n' });
    try {
      const result = await testSmtp(mail.network, smtp(ssh.port, 'starttls'), password, options);
      expect(result.error).toMatchObject({ code: 'PROTOCOL_ERROR', field: 'smtp.port' });
      expect(result.error!.message).toContain('SSH-2.0-OpenSSH');
    } finally {
      await ssh.stop();
    }
  });

  it('implicit TLS against the STARTTLS port → names STARTTLS as the working setting', async () => {
    const result = await testSmtp(mail.network, smtp(mail.smtp.port, 'tls'), password, options);
    expect(result.error).toMatchObject({ code: 'TLS_FAILED', field: 'smtp.security' });
    expect(result.error!.message).toContain('set security to STARTTLS');
  });
});

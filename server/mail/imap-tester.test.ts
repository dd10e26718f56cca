import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import { SafeNetwork } from '../net/index.js';
import { startDovecot } from '../testing/dovecot.js';
import { startMailServers, MAIL_TEST_HOSTS, type TestMailServers } from '../testing/mail-servers.js';
import { findFreePort, startSilentListener, type CountingListener } from '../testing/listeners.js';
import { testImap, type ImapTestOptions } from './imap-tester.js';
import type { MailCredentials, MailServer } from './types.js';

const USER = 'alice@mail.test';
const PASSWORD = 'alice-password';
const password: MailCredentials = { kind: 'password', user: USER, password: PASSWORD };

let mail: TestMailServers;
let silent: CountingListener;
let options: ImapTestOptions;

const imap = (port: number, security: MailServer['security'], host: string = MAIL_TEST_HOSTS.imap): MailServer => ({ host, port, security, username: USER });

beforeAll(async () => {
  mail = await startMailServers({
    dovecot: {
      introspect: (token) => (token === 'valid-token' ? { active: true, username: USER } : { active: false }),
      users: [
        { username: USER, password: PASSWORD },
        // Gmail's own words, as Dovecot answers them for these users.
        { username: 'needs-app-password@gmail.com', password: 'account-password', refuseWith: '[ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)' },
        { username: 'imap-off@gmail.com', password: 'app-password', refuseWith: '[ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)' },
      ],
    },
    extraNames: ['imap.gmail.com'],
  });
  silent = await startSilentListener();
  // Generous for success paths on a busy machine; the timeout tests set their own short limits.
  options = { phaseTimeoutMs: 5000, ca: mail.ca.cert };
});

afterAll(async () => {
  await mail?.stop();
  await silent?.stop();
});

describe('testImap against a real Dovecot', () => {
  it('signs in over implicit TLS and counts INBOX', async () => {
    const result = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), password, options);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.messages).toBe(2);
    expect(result.phases.map((p) => p.name)).toEqual(['resolve', 'connect', 'tls', 'greeting', 'authenticate', 'inbox']);
    expect(result.phases.every((p) => p.ok && p.ms >= 0)).toBe(true);
  });

  it('signs in over STARTTLS', async () => {
    const result = await testImap(mail.network, imap(mail.dovecot.imapPort, 'starttls'), password, options);
    expect(result.ok).toBe(true);
    expect(result.phases.map((p) => p.name)).toEqual(['resolve', 'connect', 'greeting', 'starttls', 'authenticate', 'inbox']);
  });

  it('reports every finished phase to onPhase', async () => {
    const seen: string[] = [];
    const result = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), password, { ...options, onPhase: (p) => seen.push(p.name) });
    expect(seen).toEqual(result.phases.map((p) => p.name));
  });

  it('wrong password → AUTH_FAILED at the authenticate phase, pointing at the password', async () => {
    const result = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), { ...password, password: 'wrong' }, options);
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ code: 'AUTH_FAILED', field: 'auth.password' });
    expect(result.error!.steps.length).toBeGreaterThan(0);
    expect(result.phases.at(-1)).toMatchObject({ name: 'authenticate', ok: false });
    expect(JSON.stringify(result)).not.toContain('wrong"');
  });

  it('closed port → CONNECTION_REFUSED at connect', async () => {
    const port = await findFreePort();
    const result = await testImap(mail.network, imap(port, 'tls'), password, options);
    expect(result.error).toMatchObject({ code: 'CONNECTION_REFUSED', field: 'imap.port' });
    expect(result.phases.at(-1)).toMatchObject({ name: 'connect', ok: false });
  });

  it('a listener that never speaks → TIMEOUT at the greeting, stopped by the phase limit', async () => {
    const result = await testImap(mail.network, imap(silent.port, 'starttls'), password, { ...options, phaseTimeoutMs: 300 });
    expect(result.error?.code).toBe('TIMEOUT');
    expect(result.error?.message).toContain('sent no IMAP greeting');
    expect(result.phases.at(-1)).toMatchObject({ name: 'greeting', ok: false });
  });

  it("another protocol's banner instead of a greeting → PROTOCOL_ERROR quoting it, without waiting out the limit", async () => {
    const ssh = await startSilentListener({ greeting: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n' });
    try {
      const result = await testImap(mail.network, imap(ssh.port, 'starttls'), password, { ...options, phaseTimeoutMs: 60_000 });
      expect(result.error).toMatchObject({ code: 'PROTOCOL_ERROR', field: 'imap.port' });
      expect(result.error!.message).toContain('SSH-2.0-OpenSSH');
    } finally {
      await ssh.stop();
    }
  });

  it('a listener that never completes TLS → TIMEOUT at the tls phase', async () => {
    const result = await testImap(mail.network, imap(silent.port, 'tls'), password, { ...options, phaseTimeoutMs: 300 });
    expect(result.error?.code).toBe('TIMEOUT');
    expect(result.phases.at(-1)).toMatchObject({ name: 'tls', ok: false });
  });

  it('the overall deadline stops a test even when each phase is within its limit', async () => {
    const result = await testImap(mail.network, imap(silent.port, 'tls'), password, { ...options, phaseTimeoutMs: 5000, overallTimeoutMs: 200, signal: AbortSignal.timeout(200) });
    expect(result.error?.code).toBe('TIMEOUT');
    // Honest about which limit ran out, and no field is blamed for it.
    expect(result.error?.message).toContain('whole test reached its limit of 0.2 s');
    expect(result.error?.field).toBeUndefined();
  });

  it('certificate for another name → TLS_CERT_INVALID naming the names it is for', async () => {
    for (const server of [imap(mail.dovecot.imapsPort, 'tls', MAIL_TEST_HOSTS.other), imap(mail.dovecot.imapPort, 'starttls', MAIL_TEST_HOSTS.other)]) {
      const result = await testImap(mail.network, server, password, options);
      expect(result.error).toMatchObject({ code: 'TLS_CERT_INVALID', field: 'imap.host' });
      expect(result.error!.message).toContain(`not issued for ${MAIL_TEST_HOSTS.other}`);
      expect(result.error!.message).toContain(MAIL_TEST_HOSTS.imap);
      expect(result.error!.steps[0]).toContain(MAIL_TEST_HOSTS.imap);
    }
  });

  it('an untrusted CA → TLS_CERT_INVALID; allowed by choice → success with a warning', async () => {
    const refused = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), password, { ...options, ca: undefined });
    expect(refused.error?.code).toBe('TLS_CERT_INVALID');
    expect(refused.error?.message).toContain('not signed by a trusted authority');
    const allowed = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), password, { ...options, ca: undefined, allowUntrustedCertificates: true });
    expect(allowed.ok).toBe(true);
    expect(allowed.warnings?.[0]).toContain('not checked');
  });

  it('implicit TLS against the STARTTLS port → TLS_FAILED that names STARTTLS as the working setting', async () => {
    const result = await testImap(mail.network, imap(mail.dovecot.imapPort, 'tls'), password, options);
    expect(result.error).toMatchObject({ code: 'TLS_FAILED', field: 'imap.security' });
    expect(result.error!.message).toMatch(/expects .*STARTTLS.*set security to STARTTLS/);
  });

  it('STARTTLS against the implicit-TLS port → the greeting never comes, and the answer says TLS works', async () => {
    const result = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'starttls'), password, { ...options, phaseTimeoutMs: 500 });
    expect(result.error).toMatchObject({ code: 'TLS_FAILED', field: 'imap.security' });
    expect(result.error!.message).toContain('set security to TLS');
  });

  it('a missing mailbox → MAILBOX_NOT_FOUND at the inbox phase', async () => {
    const result = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), password, { ...options, mailbox: 'Does-Not-Exist' });
    expect(result.error?.code).toBe('MAILBOX_NOT_FOUND');
    expect(result.phases.at(-1)).toMatchObject({ name: 'inbox', ok: false });
  });

  it('XOAUTH2/OAUTHBEARER with a token Dovecot introspects: valid signs in, invalid → OAUTH_TOKEN_INVALID', async () => {
    const good = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), { kind: 'oauth', user: USER, accessToken: 'valid-token' }, options);
    expect(good.ok).toBe(true);
    const bad = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), { kind: 'oauth', user: USER, accessToken: 'revoked-token' }, { ...options, oauthProvider: 'google' });
    expect(bad.error).toMatchObject({ code: 'OAUTH_TOKEN_INVALID', field: 'auth.provider' });
    expect(bad.error!.steps.join(' ')).toContain('Google');
  });

  it("Gmail's \"Application-specific password required\" → APP_PASSWORD_REQUIRED with Google's steps", async () => {
    const server = { host: 'imap.gmail.com', port: mail.dovecot.imapsPort, security: 'tls' as const, username: 'needs-app-password@gmail.com' };
    const result = await testImap(mail.network, server, { kind: 'password', user: server.username, password: 'account-password' }, options);
    expect(result.error).toMatchObject({ code: 'APP_PASSWORD_REQUIRED', field: 'auth.password' });
    expect(result.error!.steps[0]).toContain('myaccount.google.com/apppasswords');
  });

  it('IMAP switched off in Gmail → IMAP_DISABLED saying where to switch it on', async () => {
    const server = { host: 'imap.gmail.com', port: mail.dovecot.imapsPort, security: 'tls' as const, username: 'imap-off@gmail.com' };
    const result = await testImap(mail.network, server, { kind: 'password', user: server.username, password: 'app-password' }, options);
    expect(result.error?.code).toBe('IMAP_DISABLED');
    expect(result.error!.steps[0]).toContain('Enable IMAP');
  });

  it('token introspection down (IMAP [UNAVAILABLE]) → TEMPORARY_FAILURE with no field, not a bad token', async () => {
    mail.dovecot.setIntrospection(() => {
      throw new Error('introspection down');
    });
    try {
      const result = await testImap(mail.network, imap(mail.dovecot.imapsPort, 'tls'), { kind: 'oauth', user: USER, accessToken: 'valid-token' }, options);
      expect(result.error).toMatchObject({ code: 'TEMPORARY_FAILURE' });
      expect(result.error?.field).toBeUndefined();
      expect(result.error?.message).toContain('temporary');
    } finally {
      mail.dovecot.setIntrospection((token) => (token === 'valid-token' ? { active: true, username: USER } : { active: false }));
    }
  });

  it('too many simultaneous sessions → TEMPORARY_FAILURE saying so (no field), not AUTH_FAILED', async () => {
    const strictDovecot = await startDovecot({ ca: mail.ca, certNames: ['localhost'], extraConfig: 'protocol imap {\n  mail_max_userip_connections = 1\n}\n' });
    const holder = new ImapFlow({ host: '127.0.0.1', port: strictDovecot.imapsPort, secure: true, tls: { ca: mail.ca.cert }, auth: { user: USER, pass: PASSWORD }, logger: false });
    try {
      await holder.connect();
      const result = await testImap(mail.network, imap(strictDovecot.imapsPort, 'tls', '127.0.0.1'), password, options);
      expect(result.error).toMatchObject({ code: 'TEMPORARY_FAILURE' });
      expect(result.error?.field).toBeUndefined();
      expect(result.error?.message).toContain('no more simultaneous connections');
    } finally {
      await holder.logout().catch(() => holder.close());
      await strictDovecot.stop();
    }
  });

  it('a name that does not resolve → DNS_NOT_FOUND at resolve', async () => {
    const result = await testImap(mail.network, imap(993, 'tls', 'missing.mail.test'), password, options);
    expect(result.error).toMatchObject({ code: 'DNS_NOT_FOUND', field: 'imap.host' });
    expect(result.phases).toEqual([expect.objectContaining({ name: 'resolve', ok: false })]);
  });

  it('loopback with private networks disallowed → BLOCKED_ADDRESS before any packet is sent', async () => {
    const counting = await startSilentListener();
    try {
      const strict = new SafeNetwork({ allowPrivateNetworks: false, dnsServers: [mail.dns.address] });
      for (const host of ['127.0.0.1', MAIL_TEST_HOSTS.imap, '0x7f.1', '[::ffff:127.0.0.1]']) {
        const result = await testImap(strict, imap(counting.port, 'tls', host.replace(/^\[|\]$/g, '')), password, options);
        // A name that resolves only to blocked addresses is answered like a missing name (security, issue 11).
        expect(result.error?.code, host).toBe(host === MAIL_TEST_HOSTS.imap ? 'DNS_NOT_FOUND' : 'BLOCKED_ADDRESS');
        expect(result.phases).toEqual([expect.objectContaining({ name: 'resolve', ok: false })]);
      }
      // A name is never answered with the private address it resolved to.
      const named = await testImap(strict, imap(counting.port, 'tls', MAIL_TEST_HOSTS.imap), password, options);
      expect(JSON.stringify(named)).not.toContain('127.0.0.1');
      expect(counting.connections).toBe(0);
    } finally {
      await counting.stop();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { NetError } from '../net/index.js';
import { explainFailure, type FailureContext } from './diagnose.js';
import { providerForHost, stepsFor } from './advice.js';
import { MAIL_TEST_CODES } from './types.js';

const context = (over: Partial<FailureContext> & { host?: string; port?: number } = {}): FailureContext => ({
  protocol: 'imap',
  server: { host: over.host ?? 'imap.example.com', port: over.port ?? 993, security: 'tls', username: 'support@example.com' },
  phase: 'authenticate',
  credentials: 'password',
  ...over,
});

/** An imapflow-shaped failed LOGIN with the server's words. */
const imapNo = (responseText: string, serverResponseCode = 'AUTHENTICATIONFAILED') =>
  Object.assign(new Error('Command failed'), { authenticationFailed: true, responseText, serverResponseCode });

describe('explainFailure', () => {
  it('the same "not connected" answer to an OAuth sign-in → ACCOUNT_MISMATCH on auth with the Full Access step', () => {
    const error = explainFailure(imapNo('User is authenticated but not connected.', ''), context({ host: 'outlook.office365.com', credentials: 'oauth', account: 'agent@contoso.test', oauthProvider: 'microsoft' }));
    expect(error).toMatchObject({ code: 'ACCOUNT_MISMATCH', field: 'auth' });
    expect(error.steps.join(' ')).toContain('agent@contoso.test');
    expect(error.steps.join(' ')).toContain('Full Access');
  });

  it('SMTP without AUTH but with STARTTLS on a plaintext connection → ENCRYPTION_REQUIRED, not SMTP_AUTH_DISABLED', () => {
    const server = { host: 'smtp.example.com', port: 587, security: 'none' as const, username: 'support@example.com' };
    const noAuth = Object.assign(new Error('no AUTH'), { code: 'SMTP_AUTH_NOT_OFFERED', startTlsOffered: true });
    expect(explainFailure(noAuth, context({ protocol: 'smtp', server }))).toMatchObject({ code: 'ENCRYPTION_REQUIRED', field: 'smtp.security' });
    const noAuthAtAll = Object.assign(new Error('no AUTH'), { code: 'SMTP_AUTH_NOT_OFFERED', startTlsOffered: false });
    expect(explainFailure(noAuthAtAll, context({ protocol: 'smtp', server })).code).toBe('SMTP_AUTH_DISABLED');
  });

  it('SMTP 530 that is about authentication, not TLS, is not ENCRYPTION_REQUIRED', () => {
    const required = Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 530, response: '530 5.7.0 Authentication required' });
    expect(explainFailure(required, context({ protocol: 'smtp', host: 'smtp.example.com', port: 587 })).code).not.toBe('ENCRYPTION_REQUIRED');
    const tlsFirst = Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 530, response: '530 5.7.0 Must issue a STARTTLS command first' });
    expect(explainFailure(tlsFirst, context({ protocol: 'smtp', host: 'smtp.example.com', port: 587 }))).toMatchObject({ code: 'ENCRYPTION_REQUIRED', field: 'smtp.security' });
  });

  it('SMTP 454 4.7.0 during sign-in → TEMPORARY_FAILURE with no field, not AUTH_FAILED', () => {
    const busy = Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 454, response: '454 4.7.0 Temporary authentication failure' });
    const error = explainFailure(busy, context({ protocol: 'smtp', host: 'smtp.example.com', port: 587 }));
    expect(error.code).toBe('TEMPORARY_FAILURE');
    expect(error.field).toBeUndefined();
  });

  it("Outlook.com's IMAP-off answer → IMAP_DISABLED with Outlook's switch", () => {
    const error = explainFailure(imapNo('User is authenticated but not connected.', ''), context({ host: 'outlook.office365.com' }));
    expect(error.code).toBe('IMAP_DISABLED');
    expect(error.steps[0]).toContain('Let devices and apps use IMAP');
  });

  it('GMX, German wording → IMAP_DISABLED with GMX steps', () => {
    const error = explainFailure(imapNo('Der IMAP-Zugriff ist deaktiviert'), context({ host: 'imap.gmx.net' }));
    expect(error.code).toBe('IMAP_DISABLED');
    expect(error.steps[0]).toContain('POP3/IMAP');
  });

  it('a refused login at Yahoo → AUTH_FAILED with the app-password hint for Yahoo', () => {
    const error = explainFailure(imapNo('LOGIN Invalid credentials'), context({ host: 'imap.mail.yahoo.com' }));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', field: 'auth.password' });
    expect(error.steps[0]).toContain('login.yahoo.com');
  });

  it('hides the connected address when quoting the server', () => {
    const error = explainFailure(imapNo('Login from 10.1.2.3 refused'), context({ address: '10.1.2.3' }));
    expect(error.message).not.toContain('10.1.2.3');
    expect(error.message).toContain('[address hidden]');
  });

  it('a port outside the mail ports → BLOCKED_ADDRESS on the port field', () => {
    const error = explainFailure(new NetError('PORT_NOT_ALLOWED', 'Port 22 is not a mail port; use 993 or 143 for IMAP and 465 or 587 for SMTP.'), context({ port: 22, phase: 'resolve' }));
    expect(error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'imap.port' });
  });

  it('an expired certificate says so', () => {
    const error = explainFailure(new NetError('TLS_CERT_INVALID', 'x', 'CERT_HAS_EXPIRED'), context({ phase: 'tls' }));
    expect(error.code).toBe('TLS_CERT_INVALID');
    expect(error.message).toContain('expired');
  });

  it('garbage instead of a greeting → PROTOCOL_ERROR naming the port', () => {
    const error = explainFailure(Object.assign(new Error('Unexpected response'), { code: 'EPROTOCOL', response: 'SSH-2.0-OpenSSH_9.2' }), context({ protocol: 'smtp', phase: 'greeting', port: 587 }));
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR', field: 'smtp.port' });
    expect(error.message).toContain('SSH-2.0');
  });

  it('implicit TLS on port 143 → "Port 143 expects STARTTLS"; STARTTLS on 993 that answers TLS → "Port 993 expects TLS"', () => {
    const onPlain = explainFailure(new NetError('TLS_FAILED', 'x', 'ERR_SSL_WRONG_VERSION_NUMBER'), context({ port: 143, phase: 'tls' }));
    expect(onPlain).toMatchObject({ code: 'TLS_FAILED', field: 'imap.security' });
    expect(onPlain.message).toContain('Port 143 expects STARTTLS');
    const onTls = explainFailure(new Error('greeting timeout'), {
      ...context({ phase: 'greeting', portSpeaksTls: true }),
      server: { host: 'imap.example.com', port: 993, security: 'starttls', username: 'support@example.com' },
    });
    expect(onTls.message).toContain('Port 993 expects TLS');
    expect(onTls.steps[0]).toContain('Set security to TLS for port 993');
  });

  it('every code has generic steps, with every placeholder filled', () => {
    for (const code of MAIL_TEST_CODES) {
      const steps = stepsFor(code, { protocol: 'smtp', host: 'smtp.example.com', port: 587, username: 'a@example.com', certNames: ['mail.example.com'] });
      expect(steps.length, code).toBeGreaterThan(0);
      for (const step of steps) expect(step, code).not.toMatch(/\{\w+\}/);
    }
  });
});

describe('providerForHost', () => {
  it.each([
    ['smtp.office365.com', 'microsoft'],
    ['imap.gmail.com', 'google'],
    ['imap.mail.me.com', 'icloud'],
    ['mail.gmx.net', 'gmx'],
    ['notgmail.com', undefined],
    ['gmail.com.evil.test', undefined],
  ])('%s → %s', (host, id) => {
    expect(providerForHost(host)?.id).toBe(id);
  });
});

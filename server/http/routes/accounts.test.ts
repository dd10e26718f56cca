import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../../testing/app.js';
import { startDnsServer, type TestDnsServer } from '../../testing/dns-server.js';

const PASSWORD = 'fetched-by-the-host';
/**
 * A public address for the saved names. The credentials route only looks the names up (and hands
 * the address to the host's fetcher); it never connects, so nothing is sent to this address.
 */
const PUBLIC_ADDRESS = '93.184.216.34';

describe('POST /accounts/:id/credentials: the optional body', () => {
  let dns: TestDnsServer;
  let app: TestApp;

  beforeAll(async () => {
    dns = await startDnsServer({ 'imap.acme.test': { A: [PUBLIC_ADDRESS] }, 'smtp.acme.test': { A: [PUBLIC_ADDRESS] } });
    app = await createTestApp({ EMAIL_WIZARD_DNS_SERVERS: dns.address });
    const saved = await app.request('/settings', {
      method: 'PUT',
      token: await app.session('acme'),
      json: {
        email: 'support@acme.test',
        imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
        smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'support@acme.test' },
        auth: { method: 'password', password: PASSWORD },
      },
    });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
  });

  const credentials = (headers: Record<string, string>, body?: string) =>
    app.request('/accounts/acme/credentials', { method: 'POST', token: TEST_API_KEY, headers, body });

  it.each([
    ['no body and no content type', {}, undefined],
    ['Content-Type: application/json and an empty body (a common host fetcher)', { 'Content-Type': 'application/json' }, undefined],
    ['Content-Type: application/json and a body of white space', { 'Content-Type': 'application/json' }, ' \r\n'],
    ['{}', { 'Content-Type': 'application/json' }, '{}'],
  ])('%s: the checked address, the name for TLS, and the secret', async (_, headers, body) => {
    const response = await credentials(headers, body);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const answer = (await response.json()) as { imap: { host: string; servername?: string; auth: { pass: string } } };
    expect(answer.imap).toMatchObject({ host: PUBLIC_ADDRESS, servername: 'imap.acme.test', auth: { pass: PASSWORD } });
  });

  it('a body that is not JSON is 400 INVALID_JSON; a wrong option is 400 naming it; neither hands out the secret', async () => {
    const broken = await credentials({ 'Content-Type': 'application/json' }, '{"forceRefresh":');
    expect(broken.status).toBe(400);
    const brokenText = await broken.text();
    expect(JSON.parse(brokenText).error.code).toBe('INVALID_JSON');
    expect(brokenText).not.toContain(PASSWORD);

    const wrong = await credentials({ 'Content-Type': 'application/json' }, '{"forceRefresh":"yes"}');
    expect(wrong.status).toBe(400);
    const wrongText = await wrong.text();
    expect(JSON.parse(wrongText).error).toMatchObject({ code: 'VALIDATION_ERROR', field: 'forceRefresh' });
    expect(wrongText).not.toContain(PASSWORD);

    const unknown = await credentials({ 'Content-Type': 'application/json' }, '{"refresh":true}');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_FIELD');
  });
});

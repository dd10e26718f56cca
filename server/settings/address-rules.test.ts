import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server.js';

/**
 * Every way a server address enters is checked the same way, in the default mode (private
 * networks not allowed). Nothing here connects anywhere: `PUT /settings` and
 * `POST /accounts/:id/credentials` only look names up, so the test DNS server may answer public
 * addresses (never contacted) where a save must succeed.
 */

const USER = 'support@victim.test';
let dns: TestDnsServer;
let app: TestApp;
let counter = 0;

const server = (host: string, port = 993, security = 'tls') => ({ host, port, security, username: USER });
const settings = (imapHost: string, imapPort = 993, smtpHost = 'smtp.victim.test') => ({
  email: USER,
  imap: server(imapHost, imapPort),
  smtp: server(smtpHost, 465),
  auth: { method: 'password', password: 'victim-password' },
});

beforeAll(async () => {
  dns = await startDnsServer({});
  app = await createTestApp({ EMAIL_WIZARD_DNS_SERVERS: dns.address });
});
afterAll(async () => {
  await app?.close();
  await dns?.close();
});

async function put(json: unknown) {
  const accountId = `acct-${(counter += 1)}`;
  const token = await app.session(accountId);
  const response = await app.request('/settings', { method: 'PUT', token, json });
  return { accountId, token, status: response.status, body: (await response.json()) as any };
}

async function credentials(accountId: string) {
  const response = await app.request(`/accounts/${accountId}/credentials`, { method: 'POST', token: TEST_API_KEY });
  return { status: response.status, text: await response.text() };
}

describe('PUT /settings applies the address and port rules of POST /test', () => {
  it.each([
    ['169.254.169.254', 80, 'imap.host'],
    ['0x7f000001', 6379, 'imap.host'],
    ['2130706433', 993, 'imap.host'],
    ['::ffff:10.0.0.1', 993, 'imap.host'],
    ['::7f00:1', 993, 'imap.host'],
    ['fe00::1', 993, 'imap.host'],
    ['localhost', 993, 'imap.host'],
    ['mail.localhost', 993, 'imap.host'],
    ['imap.victim.test', 6379, 'imap.port'],
  ])('%s:%s → 400 BLOCKED_ADDRESS (field %s), nothing saved', async (host, port, field) => {
    const answer = await put(settings(host, port));
    expect({ status: answer.status, code: answer.body.error?.code, field: answer.body.error?.field }).toEqual({ status: 400, code: 'BLOCKED_ADDRESS', field });
    expect(answer.body.error.message).not.toMatch(/victim-password/);
    expect((await app.request('/settings', { token: answer.token })).status).toBe(404);
  });

  it('checks the SMTP server too (field smtp.host)', async () => {
    const answer = await put(settings('imap.victim.test', 993, '10.0.0.7'));
    expect(answer.body.error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'smtp.host' });
  });

  it('accepts an internationalised name and saves it in the one normal form (punycode)', async () => {
    const answer = await put(settings('IMAP.Bücher.Test.'));
    expect(answer.status).toBe(200);
    expect(answer.body.imap.host).toBe('imap.xn--bcher-kva.test');
    // The saved password still belongs to that server however it is spelled.
    const retest = await app.request('/test', { method: 'POST', token: answer.token, json: { imap: server('imap.bücher.test') } });
    expect(retest.status).toBe(200);
  });
});

describe('POST /accounts/:id/credentials checks the saved hosts again when it is called', () => {
  it('answers the checked address with the name as servername, and 409 BLOCKED_ADDRESS once the name points inside', async () => {
    // Public addresses, only resolved (the credentials endpoint never connects).
    dns.setRecords({ 'imap.victim.test': { A: ['93.184.216.34'] }, 'smtp.victim.test': { A: ['93.184.216.35'] } });
    const saved = await put(settings('imap.victim.test'));
    expect(saved.status).toBe(200);
    const first = await credentials(saved.accountId);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({
      imap: { host: '93.184.216.34', servername: 'imap.victim.test', port: 993 },
      smtp: { host: '93.184.216.35', servername: 'smtp.victim.test', port: 465 },
    });

    // The attacker's DNS now answers the metadata address (and a private one, in v6 spelling).
    for (const records of [{ A: ['169.254.169.254'] }, { AAAA: ['::ffff:10.0.0.1'] }, { A: ['127.0.0.1'] }]) {
      dns.setRecords({ 'imap.victim.test': records, 'smtp.victim.test': { A: ['93.184.216.35'] } });
      const refused = await credentials(saved.accountId);
      expect(refused.status).toBe(409);
      const body = JSON.parse(refused.text);
      expect(body.error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'imap.host' });
      expect(refused.text).not.toContain('victim-password');
      expect(refused.text).not.toMatch(/169\.254|10\.0\.0\.1|127\.0\.0\.1/);
    }
  });

  it('answers 503 HOST_CHECK_UNAVAILABLE with Retry-After while a saved name’s DNS stays silent, and the checked address once it answers', async () => {
    dns.setRecords({ 'imap.victim.test': { A: ['93.184.216.34'] }, 'smtp.victim.test': { hang: true } });
    const saved = await put(settings('imap.victim.test'));
    expect(saved.status).toBe(200);
    const response = await app.request(`/accounts/${saved.accountId}/credentials`, { method: 'POST', token: TEST_API_KEY });
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(JSON.parse(text)).toEqual({
      error: {
        code: 'HOST_CHECK_UNAVAILABLE',
        message: 'The saved SMTP server smtp.victim.test could not be checked right now (its DNS did not answer); try again shortly.',
        field: 'smtp.host',
      },
    });
    expect(text).not.toContain('victim-password');
    expect(text).not.toContain('93.184.216.34');

    // The domain answers again: the fetcher gets the checked address, never the bare name.
    dns.setRecords({ 'imap.victim.test': { A: ['93.184.216.34'] }, 'smtp.victim.test': { A: ['93.184.216.35'] } });
    const again = await credentials(saved.accountId);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ smtp: { host: '93.184.216.35', servername: 'smtp.victim.test' } });
  });
});

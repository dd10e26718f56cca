import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa } from '../../server/testing/certs.js';
import { startDnsServer, type DnsRecords, type TestDnsServer } from '../../server/testing/dns-server.js';
import { startHttpsServer, type TestHttpsServer } from '../../server/testing/https-server.js';
import { startServerProcess, type ServerProcess } from '../../server/testing/server-process.js';
import { startConnectionCounters, type ConnectionCounters } from '../support/counters.js';
import { startTcpForwarder, type TcpForwarder } from '../support/forwarder.js';
import { NETNS_PUBLIC_ADDRESS } from '../support/netns.js';

/**
 * SSRF, against the real server in its default mode (private networks not allowed), inside a
 * loopback-only network namespace: every spelling of an internal address, given to `/test`,
 * published in DNS, in an autoconfig document or behind an HTTP redirect, is refused — and not
 * one connection reaches the listeners that count on loopback's standard and test ports.
 */
const API_KEY = `ssrf-${randomBytes(12).toString('hex')}`;
/** Ports the server would use on its own: autoconfig (80/443), IMAP (993/143), SMTP (465/587/25). */
const STANDARD_PORTS = [80, 443, 993, 143, 465, 587, 25];

let server: ServerProcess;
let dns: TestDnsServer;
let counters: ConnectionCounters;
let autoconfig: TestHttpsServer;
let publicHttps: TcpForwarder;
/** An attacker's "public" mail server: counts every connection to NETNS_PUBLIC_ADDRESS on the mail ports. */
let attackerMail: ConnectionCounters;

/** Names an attacker controls, and what they resolve to. */
const ATTACKER_ZONE: DnsRecords = {
  'localhost': { A: ['127.0.0.1'], AAAA: ['::1'] },
  'loopback.attacker.test': { A: ['127.0.0.1'] },
  'loopback6.attacker.test': { AAAA: ['::1'] },
  'mapped.attacker.test': { AAAA: ['::ffff:127.0.0.1'] },
  'metadata.attacker.test': { A: ['169.254.169.254'] },
  'private.attacker.test': { A: ['10.1.2.3'] },
  'cgnat.attacker.test': { A: ['100.64.0.1'] },
  'ula.attacker.test': { AAAA: ['fd00::1'] },
  'unspecified.attacker.test': { A: ['0.0.0.0'] },
  // Detection: every name under these domains (MX hosts, autoconfig., imap., mail., SRV targets) is internal.
  'internal-domain.test': { A: ['127.0.0.1'], AAAA: ['::1'], MX: [{ exchange: 'mx.internal-domain.test', priority: 10 }] },
  '*.internal-domain.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
  '_imaps._tcp.internal-domain.test': { SRV: [{ target: 'imap.internal-domain.test', port: 993 }] },
  '_submission._tcp.internal-domain.test': { SRV: [{ target: 'smtp.internal-domain.test', port: 587 }] },
  // Nothing but names that resolve to loopback: only guessing can find anything here.
  'probe-domain.test': { A: ['127.0.0.1'] },
  '*.probe-domain.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
  'metadata-domain.test': { A: ['169.254.169.254'], MX: [{ exchange: 'mx.metadata-domain.test', priority: 10 }] },
  '*.metadata-domain.test': { A: ['169.254.169.254'], AAAA: ['fd00::1'] },
  // An allowed (public) autoconfig host whose answer sends the server somewhere internal.
  'redirect-domain.test': {},
  'autoconfig.redirect-domain.test': { A: [NETNS_PUBLIC_ADDRESS] },
  'xml-domain.test': {},
  'autoconfig.xml-domain.test': { A: [NETNS_PUBLIC_ADDRESS] },
  // A public mail server of the attacker's choosing, and the victim's own (public) servers.
  'attacker-mail.test': { A: [NETNS_PUBLIC_ADDRESS] },
  'imap.victim.test': { A: [NETNS_PUBLIC_ADDRESS] },
  'smtp.victim.test': { A: [NETNS_PUBLIC_ADDRESS] },
};

beforeAll(async () => {
  if (!process.env.ECW_NETNS) throw new Error('The SSRF suite binds standard ports: run it through e2e/ssrf.test.ts.');
  const ca = createTestCa();
  dns = await startDnsServer(ATTACKER_ZONE);
  counters = await startConnectionCounters(['127.0.0.1', '::1'], STANDARD_PORTS);
  // Not 993/465: the rebinding case below needs nothing listening there.
  attackerMail = await startConnectionCounters([NETNS_PUBLIC_ADDRESS], [143, 587]);
  autoconfig = await startHttpsServer(ca.issue(['autoconfig.redirect-domain.test', 'autoconfig.xml-domain.test']), {
    'autoconfig.redirect-domain.test/mail/config-v1.1.xml': { status: 302, headers: { location: 'https://127.0.0.1/mail/config-v1.1.xml' } },
    'autoconfig.redirect-domain.test/.well-known/autoconfig/mail/config-v1.1.xml': { status: 301, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
    'autoconfig.xml-domain.test/mail/config-v1.1.xml': { body: autoconfigPointingAt('0x7f000001', '[::1]') },
  });
  publicHttps = await startTcpForwarder({ host: NETNS_PUBLIC_ADDRESS, port: 443, targetPort: autoconfig.port });
  server = await startServerProcess({
    env: {
      EMAIL_WIZARD_DB: `/tmp/ecw-ssrf-${randomBytes(6).toString('hex')}/wizard.sqlite`,
      EMAIL_WIZARD_API_KEYS: API_KEY,
      EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'false',
      EMAIL_WIZARD_DNS_SERVERS: dns.address,
      NODE_EXTRA_CA_CERTS: ca.certPath,
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([dns?.close(), counters?.stop(), attackerMail?.stop(), autoconfig?.close(), publicHttps?.stop()]);
});

async function newSession(accountId = `ssrf-${randomBytes(4).toString('hex')}`): Promise<string> {
  const response = await fetch(`${server.apiUrl}/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ accountId }),
    signal: AbortSignal.timeout(5000),
  });
  return ((await response.json()) as { token: string }).token;
}

/** A widget-session call with a JSON body. */
async function widgetCall(method: string, path: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, body: await response.json() };
}

/** `POST /accounts/:id/credentials` as the host's fetcher asks for it. */
async function hostCredentials(accountId: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.apiUrl}/accounts/${accountId}/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}` },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

const mailSettings = (imapHost: string, imapPort = 993, smtpHost = 'smtp.victim.test', smtpPort = 465) => ({
  email: 'victim@victim.test',
  imap: { host: imapHost, port: imapPort, security: 'tls', username: 'victim@victim.test' },
  smtp: { host: smtpHost, port: smtpPort, security: 'tls', username: 'victim@victim.test' },
  auth: { method: 'password', password: 'the-victims-saved-password' },
});

interface ProtocolAnswer {
  ok: boolean;
  error?: { code: string; message: string; field?: string };
}

/**
 * `POST /test` with `host` for IMAP (993) and SMTP (465) — mail ports, so that only the address
 * can be the reason for a refusal; a fresh session each time keeps the per-session rate limit out of the way.
 */
async function testConnection(host: string): Promise<{ status: number; imap?: ProtocolAnswer; smtp?: ProtocolAnswer }> {
  const server_ = (port: number) => ({ host, port, security: 'tls', username: 'victim@example.com' });
  const response = await fetch(`${server.apiUrl}/test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await newSession()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ imap: server_(993), smtp: server_(465), auth: { method: 'password', password: 'irrelevant-password' } }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

async function detect(email: string): Promise<{ status: number; stream: string }> {
  const response = await fetch(`${server.apiUrl}/detect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await newSession()}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ email }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, stream: await response.text() };
}

function autoconfigPointingAt(imapHost: string, smtpHost: string): string {
  return `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="xml-domain.test"><domain>xml-domain.test</domain>
<incomingServer type="imap"><hostname>${imapHost}</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
<outgoingServer type="smtp"><hostname>${smtpHost}</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>`;
}

const LITERAL_SPELLINGS = [
  ['decimal IPv4', '2130706433'],
  ['octal IPv4', '017700000001'],
  ['hex IPv4', '0x7f000001'],
  ['dotted hex IPv4', '0x7f.0x0.0x0.0x1'],
  ['short IPv4', '127.1'],
  ['IPv4-mapped IPv6', '[::ffff:127.0.0.1]'],
  ['IPv4-mapped IPv6, hex', '::ffff:7f00:1'],
  ['IPv6 loopback', '[::1]'],
  ['IPv6 unspecified', '[::]'],
  ['IPv4 unspecified', '0.0.0.0'],
  ['bare zero', '0'],
  ['link-local metadata', '169.254.169.254'],
  ['unique-local fd00::/8', '[fd00::1]'],
  ['CGNAT 100.64.0.0/10', '100.64.0.1'],
  ['private 10/8', '10.0.0.1'],
  ['private 192.168/16', '192.168.1.1'],
  ['private 172.16/12', '172.16.0.1'],
  ['IPv4-compatible IPv6 loopback', '::7f00:1'],
  ['IPv4-compatible IPv6 metadata', '::a9fe:a9fe'],
  ['IPv6 outside 2000::/3 (fe00::1)', 'fe00::1'],
  ['IPv6 outside 2000::/3 (4000::1)', '4000::1'],
] as const;

const NAME_SPELLINGS = [
  ['a name resolving to 127.0.0.1', 'loopback.attacker.test'],
  ['a name resolving to ::1', 'loopback6.attacker.test'],
  ['a name resolving to ::ffff:127.0.0.1', 'mapped.attacker.test'],
  ['a name resolving to 169.254.169.254', 'metadata.attacker.test'],
  ['a name resolving to 10.1.2.3', 'private.attacker.test'],
  ['a name resolving to 100.64.0.1', 'cgnat.attacker.test'],
  ['a name resolving to fd00::1', 'ula.attacker.test'],
  ['a name resolving to 0.0.0.0', 'unspecified.attacker.test'],
] as const;

describe('POST /test refuses every internal address with BLOCKED_ADDRESS', () => {
  for (const [label, host] of [...LITERAL_SPELLINGS, ['localhost, by name (RFC 6761)', 'localhost'], ['a name under .localhost', 'imap.localhost']]) {
    it(`${label}: ${host}`, async () => {
      const answer = await testConnection(host);
      expect(answer.status).toBe(200);
      expect(answer.imap?.error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'imap.host' });
      expect(answer.smtp?.error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'smtp.host' });
      expect(counters.hits).toEqual([]);
    });
  }
});

describe('POST /test answers a name that leads only inside exactly like a name that does not exist', () => {
  /** The answer with the host name and timings taken out: what a prober could compare. */
  const shape = (answer: object, host: string) => JSON.parse(JSON.stringify(answer).replaceAll(host, '<host>').replace(/"ms":\d+/g, '"ms":0'));
  for (const [label, host] of NAME_SPELLINGS) {
    it(`${label}: ${host}`, async () => {
      const internal = await testConnection(host);
      const missing = await testConnection('no-such-name.attacker.test');
      expect(internal.imap?.error).toMatchObject({ code: 'DNS_NOT_FOUND', field: 'imap.host' });
      expect(shape(internal, host)).toEqual(shape(missing, 'no-such-name.attacker.test'));
      expect(JSON.stringify(internal)).not.toMatch(/127\.0\.0\.1|169\.254|10\.1\.2\.3|100\.64|fd00|::1|0\.0\.0\.0/);
      expect(counters.hits).toEqual([]);
    });
  }

  it('a name that resolved to an allowed address before and to loopback now (DNS rebinding)', async () => {
    dns.setRecords({ ...ATTACKER_ZONE, 'rebind.attacker.test': { A: [NETNS_PUBLIC_ADDRESS] } });
    const first = await testConnection('rebind.attacker.test');
    // The allowed address was tried (nothing listens there in the namespace): refused, but not BLOCKED.
    expect(first.imap?.error?.code).toBe('CONNECTION_REFUSED');
    dns.setRecords({ ...ATTACKER_ZONE, 'rebind.attacker.test': { A: ['127.0.0.1'] } });
    const second = await testConnection('rebind.attacker.test');
    expect(second.imap?.error).toMatchObject({ code: 'DNS_NOT_FOUND', field: 'imap.host' });
    expect(second.smtp?.error).toMatchObject({ code: 'DNS_NOT_FOUND', field: 'smtp.host' });
    dns.setRecords(ATTACKER_ZONE);
    expect(counters.hits).toEqual([]);
  });
});

describe('detection never connects to an internal address', () => {
  it('a domain whose MX, SRV and autoconfig hosts all resolve to loopback', async () => {
    const answer = await detect('someone@internal-domain.test');
    expect(answer.status).toBe(200);
    // Every source had its go and looked the internal names up …
    for (const source of ['mx', 'srv', 'autoconfig']) expect(answer.stream, answer.stream).toContain(`"source":"${source}","status":"end"`);
    expect(answer.stream).toContain('"source":"autoconfig","status":"end","found":false');
    // An internal name is not told apart from a missing one (no probe of this network's names).
    expect(answer.stream).not.toContain('"error":"BLOCKED_ADDRESS"');
    expect(dns.queries).toEqual(expect.arrayContaining(['A autoconfig.internal-domain.test']));
    // … and connected to none of them (an SRV answer is only data: /test refuses it, above).
    expect(counters.hits).toEqual([]);
  });

  it('guessing (probing imap., mail., smtp. … on the mail ports) never touches a name that resolves to loopback', async () => {
    const answer = await detect('someone@probe-domain.test');
    expect(answer.status).toBe(200);
    expect(answer.stream, answer.stream).toContain('"source":"guess","status":"end"');
    expect(dns.queries.filter((query) => /^(A|AAAA) \w+\.probe-domain\.test$/.test(query)).length).toBeGreaterThan(1);
    expect(counters.hits).toEqual([]);
    expect(JSON.parse(/event: result\ndata: (.*)\n/.exec(answer.stream)?.[1] ?? '{}')).toMatchObject({ imap: null, smtp: null });
  });

  it('a domain whose every host resolves to the metadata address or fd00::/8', async () => {
    const answer = await detect('someone@metadata-domain.test');
    expect(answer.status).toBe(200);
    expect(counters.hits).toEqual([]);
  });

  it('an allowed autoconfig host that redirects to 127.0.0.1 and to 169.254.169.254', async () => {
    const before = autoconfig.requests.length;
    const answer = await detect('someone@redirect-domain.test');
    expect(answer.status).toBe(200);
    // The public host was asked (so the redirect was really offered) …
    expect(autoconfig.requests.length).toBeGreaterThan(before);
    // … and the redirect target was never contacted.
    expect(counters.hits).toEqual([]);
  });

  it('an autoconfig document that names internal servers (0x7f000001, [::1]) is not probed', async () => {
    const answer = await detect('someone@xml-domain.test');
    expect(answer.status).toBe(200);
    expect(autoconfig.requests.some((request) => request.includes('autoconfig.xml-domain.test'))).toBe(true);
    expect(counters.hits).toEqual([]);
  });
});

describe('every way a server address enters is checked the same way', () => {
  it.each([
    ['169.254.169.254', 80, 'imap.host'],
    ['0x7f000001', 6379, 'imap.host'],
    ['[::1]', 993, 'imap.host'],
    ['::7f00:1', 993, 'imap.host'],
    ['localhost', 993, 'imap.host'],
    ['imap.victim.test', 6379, 'imap.port'],
  ])('PUT /settings %s:%s → 400 BLOCKED_ADDRESS (%s), nothing saved', async (host, port, field) => {
    const accountId = `put-${randomBytes(4).toString('hex')}`;
    const token = await newSession(accountId);
    const answer = await widgetCall('PUT', '/settings', token, mailSettings(String(host), Number(port)));
    expect({ status: answer.status, code: answer.body.error?.code, field: answer.body.error?.field }).toEqual({ status: 400, code: 'BLOCKED_ADDRESS', field });
    expect((await hostCredentials(accountId)).status).toBe(404);
    expect(counters.hits).toEqual([]);
  });

  it('POST /accounts/:id/credentials answers the checked address + servername, and 409 once the saved name points inside', async () => {
    const accountId = `rebind-${randomBytes(4).toString('hex')}`;
    const token = await newSession(accountId);
    expect((await widgetCall('PUT', '/settings', token, mailSettings('imap.victim.test'))).status).toBe(200);
    const first = await hostCredentials(accountId);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text).imap).toMatchObject({ host: NETNS_PUBLIC_ADDRESS, servername: 'imap.victim.test' });
    for (const inside of ['169.254.169.254', '127.0.0.1', '10.1.2.3']) {
      dns.setRecords({ ...ATTACKER_ZONE, 'imap.victim.test': { A: [inside] } });
      const refused = await hostCredentials(accountId);
      expect(refused.status).toBe(409);
      expect(JSON.parse(refused.text).error).toMatchObject({ code: 'BLOCKED_ADDRESS', field: 'imap.host' });
      expect(refused.text).not.toContain('the-victims-saved-password');
    }
    dns.setRecords(ATTACKER_ZONE);
    expect(counters.hits).toEqual([]);
  });
});

describe('a saved password never reaches a server of the session’s choosing', () => {
  it('POST /test and PUT /settings naming the attacker’s public server without a password: 400 PASSWORD_REQUIRED, no connection', async () => {
    const accountId = `secret-${randomBytes(4).toString('hex')}`;
    const token = await newSession(accountId);
    expect((await widgetCall('PUT', '/settings', token, mailSettings('imap.victim.test'))).status).toBe(200);
    const evil = (port: number) => ({ host: 'attacker-mail.test', port, security: 'starttls', username: 'victim@victim.test' });
    for (const body of [{ imap: evil(143), smtp: evil(587) }, { imap: evil(143), auth: { method: 'password' } }, { smtp: evil(587) }]) {
      const answer = await widgetCall('POST', '/test', token, body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('PASSWORD_REQUIRED');
    }
    const put = await widgetCall('PUT', '/settings', token, { ...mailSettings('attacker-mail.test', 143), auth: { method: 'password' } });
    expect(put.body.error).toMatchObject({ code: 'PASSWORD_REQUIRED', field: 'auth.password' });
    expect(attackerMail.hits).toEqual([]);
    expect(JSON.parse((await hostCredentials(accountId)).text).imap.servername).toBe('imap.victim.test');
  });
});

describe('after everything', () => {
  it('not one connection reached a loopback listener', () => {
    expect(counters.hits).toEqual([]);
  });
});

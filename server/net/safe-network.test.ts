import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type TestCa } from '../testing/certs.js';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server.js';
import { startHttpsServer, type TestHttpsServer } from '../testing/https-server.js';
import { findClosedPort, startSilentListener, type CountingListener } from '../testing/listeners.js';
import { startMailGreeter, type MailGreeter } from '../testing/mail-greeter.js';
import { NetError, SafeNetwork, type NetErrorCode } from './index.js';

let ca: TestCa;
let dns: TestDnsServer;
let web: TestHttpsServer;
let imaps: MailGreeter;
let expiredImaps: MailGreeter;
let plain: MailGreeter;
let silent: CountingListener;
let open: SafeNetwork;
let closed: SafeNetwork;

async function failure(work: Promise<unknown>): Promise<NetError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(NetError);
    return error as NetError;
  }
  throw new Error('expected a NetError');
}

const codeOf = async (work: Promise<unknown>): Promise<NetErrorCode> => (await failure(work)).code;

beforeAll(async () => {
  ca = createTestCa();
  dns = await startDnsServer({
    'example.test': {
      MX: [
        { exchange: 'mx2.example.test', priority: 20 },
        { exchange: 'MX1.example.test.', priority: 10 },
      ],
      TXT: ['v=spf1 -all'],
      A: ['127.0.0.1'],
    },
    '_imaps._tcp.example.test': { SRV: [{ target: 'imap.example.test', port: 993, priority: 0, weight: 5 }] },
    'imap.example.test': { A: ['127.0.0.1'] },
    'web.example.test': { A: ['127.0.0.1'] },
    'mixed.example.test': { A: ['10.0.0.8', '93.184.216.34'] },
    'private.example.test': { A: ['10.0.0.8', '169.254.169.254'], AAAA: ['::1', 'fd00::1'] },
    'mapped.example.test': { AAAA: ['::ffff:127.0.0.1'] },
    'norecords.example.test': {},
    'hang.example.test': { hang: true },
  });
  const cert = ca.issue(['imap.example.test', 'web.example.test', 'example.test']);
  web = await startHttpsServer(cert);
  imaps = await startMailGreeter('imap', 'tls', cert);
  expiredImaps = await startMailGreeter('imap', 'tls', ca.issue(['imap.example.test'], { expired: true }));
  plain = await startMailGreeter('imap', 'starttls', cert);
  silent = await startSilentListener();
  open = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true, ca: ca.cert });
  closed = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: false, ca: ca.cert });
});

afterAll(async () => {
  await Promise.all([dns?.close(), web?.close(), imaps?.close(), expiredImaps?.close(), plain?.close(), silent?.stop()]);
});

describe('DNS through the configured server', () => {
  it('answers MX records best first, lower-cased, without the trailing dot', async () => {
    expect(await open.resolveMx('example.test')).toEqual([
      { exchange: 'mx1.example.test', priority: 10 },
      { exchange: 'mx2.example.test', priority: 20 },
    ]);
  });

  it('answers SRV and TXT records', async () => {
    expect(await open.resolveSrv('_imaps._tcp.example.test')).toEqual([{ name: 'imap.example.test', port: 993, priority: 0, weight: 5 }]);
    expect(await open.resolveTxt('example.test')).toEqual(['v=spf1 -all']);
  });

  it('answers [] for a name without such records and DNS_NOT_FOUND for a name that does not exist', async () => {
    expect(await open.resolveMx('norecords.example.test')).toEqual([]);
    const error = await failure(open.resolveMx('nowhere.example.test'));
    expect(error.code).toBe('DNS_NOT_FOUND');
    expect(error.message).toBe('The host name nowhere.example.test does not exist.');
  });

  it('gives up on a server that never answers with TIMEOUT', async () => {
    expect(await codeOf(open.resolveMx('hang.example.test', 200))).toBe('TIMEOUT');
    expect(await codeOf(open.resolveSafeAddress('hang.example.test', 200))).toBe('TIMEOUT');
  });

  it('refuses names that cannot be host names before asking anyone', async () => {
    const before = dns.queries.length;
    for (const name of ['', 'a b.test', 'x'.repeat(64) + '.test', '-bad.test', 'a..test']) {
      expect(await codeOf(open.resolveMx(name))).toBe('DNS_NOT_FOUND');
    }
    expect(dns.queries.length).toBe(before);
  });

  it('converts international names to punycode', async () => {
    await failure(open.resolveMx('bücher.example.test'));
    expect(dns.queries).toContain('MX xn--bcher-kva.example.test');
  });
});

describe('resolveSafeAddress', () => {
  it('returns the loopback address when private networks are allowed', async () => {
    expect(await open.resolveSafeAddress('imap.example.test')).toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('answers a name that resolves only to blocked addresses exactly like a name that does not exist', async () => {
    const missing = await failure(closed.resolveSafeAddress('nothing-here.example.test'));
    expect(missing.code).toBe('DNS_NOT_FOUND');
    for (const host of ['imap.example.test', 'private.example.test', 'mapped.example.test']) {
      const error = await failure(closed.resolveSafeAddress(host));
      expect({ code: error.code, message: error.message }).toEqual({ code: 'DNS_NOT_FOUND', message: `The host name ${host} does not exist.` });
      expect(missing.message.replace('nothing-here.example.test', host)).toBe(error.message);
      expect(error.detail).toBe('BLOCKED_ADDRESS'); // for logs only
    }
  });

  it('names the block to the host API when asked (revealBlocked), without naming the address', async () => {
    for (const host of ['imap.example.test', 'private.example.test', 'mapped.example.test']) {
      const error = await failure(closed.resolveSafeAddress(host, undefined, { revealBlocked: true }));
      expect(error.code).toBe('BLOCKED_ADDRESS');
      expect(error.message).not.toMatch(/127\.0\.0\.1|10\.0\.0\.8|169\.254|::1|fd00/);
    }
  });

  it('refuses localhost and *.localhost by name, without asking DNS (RFC 6761)', async () => {
    const before = dns.queries.length;
    for (const host of ['localhost', 'LOCALHOST.', 'imap.localhost', 'a.b.localhost']) {
      expect(await codeOf(closed.resolveSafeAddress(host)), host).toBe('BLOCKED_ADDRESS');
    }
    expect(dns.queries.length).toBe(before);
  });

  it('skips the blocked addresses of a name and keeps its public one (resolution only, no connection)', async () => {
    expect(await closed.resolveSafeAddress('mixed.example.test')).toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('refuses IP literals in every spelling', async () => {
    for (const literal of ['127.0.0.1', '2130706433', '0x7f.1', '0177.0.0.1', '[::1]', '::ffff:169.254.169.254', '169.254.169.254', '10.0.0.1']) {
      expect(await codeOf(closed.resolveSafeAddress(literal))).toBe('BLOCKED_ADDRESS');
    }
  });
});

describe('connectTcp / connectTls', () => {
  it('connects to the checked address and verifies TLS against the host name', async () => {
    const { socket, address } = await open.connectTls({ host: 'imap.example.test', port: imaps.port, timeoutMs: 2000 });
    expect(address).toBe('127.0.0.1');
    expect(socket.authorized).toBe(true);
    socket.destroy();
  });

  it('rejects a certificate for another name, an expired one and an untrusted one with TLS_CERT_INVALID', async () => {
    const wrongName = await failure(open.connectTls({ host: 'web.example.test', port: expiredImaps.port, timeoutMs: 2000 }));
    expect(wrongName.code).toBe('TLS_CERT_INVALID');
    const expired = await failure(open.connectTls({ host: 'imap.example.test', port: expiredImaps.port, timeoutMs: 2000 }));
    expect(expired.code).toBe('TLS_CERT_INVALID');
    expect(expired.message).toBe('imap.example.test:' + expiredImaps.port + ' cannot be trusted: its certificate has expired.');
    const withoutCa = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true });
    expect(await codeOf(withoutCa.connectTls({ host: 'imap.example.test', port: imaps.port, timeoutMs: 2000 }))).toBe('TLS_CERT_INVALID');
  });

  it('accepts an extra CA per call', async () => {
    const withoutCa = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true });
    const { socket } = await withoutCa.connectTls({ host: 'imap.example.test', port: imaps.port, timeoutMs: 2000, ca: ca.cert });
    socket.destroy();
  });

  it('reports implicit TLS against a plain port as TLS_FAILED', async () => {
    const error = await failure(open.connectTls({ host: 'imap.example.test', port: plain.port, timeoutMs: 2000 }));
    expect(error.code).toBe('TLS_FAILED');
  });

  it('upgrades a plain connection after STARTTLS', async () => {
    const { socket } = await open.connectTcp({ host: 'imap.example.test', port: plain.port, timeoutMs: 2000 });
    const lines: string[] = [];
    socket.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    socket.write('a1 STARTTLS\r\n');
    await new Promise<void>((resolve) => {
      const check = () => (lines.join('').includes('a1 OK') ? resolve() : setTimeout(check, 5));
      check();
    });
    socket.removeAllListeners('data');
    const secure = await open.upgradeTls({ socket, host: 'imap.example.test', timeoutMs: 2000 });
    expect(secure.authorized).toBe(true);
    secure.destroy();
  });

  it('reports a refused connection and a silent server', async () => {
    const closedPort = await findClosedPort();
    expect(await codeOf(open.connectTcp({ host: '127.0.0.1', port: closedPort, timeoutMs: 2000 }))).toBe('CONNECTION_REFUSED');
    expect(await codeOf(open.connectTls({ host: 'imap.example.test', port: silent.port, timeoutMs: 200 }))).toBe('TIMEOUT');
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const attempt = open.connectTls({ host: 'imap.example.test', port: silent.port, timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    expect(await codeOf(attempt)).toBe('TIMEOUT');
  });

  it('allows only mail ports when private networks are not allowed', () => {
    for (const port of [25, 143, 465, 587, 993, 2525]) expect(closed.isPortAllowed(port)).toBe(true);
    for (const port of [22, 80, 443, 3306, 6379, 8080, 0, 70000, 1.5]) expect(closed.isPortAllowed(port)).toBe(false);
    expect(open.isPortAllowed(silent.port)).toBe(true);
    expect(open.isPortAllowed(0)).toBe(false);
  });

  it('never opens a connection to a blocked address, whatever its spelling or name', async () => {
    const before = silent.connections;
    // Port 993 is a mail port, so only the address check stands between the call and a connection.
    for (const host of ['127.0.0.1', '2130706433', '[::ffff:127.0.0.1]', '::7f00:1', 'localhost']) {
      expect(await codeOf(closed.connectTcp({ host, port: 993, timeoutMs: 1000 }))).toBe('BLOCKED_ADDRESS');
      expect(await codeOf(closed.connectTls({ host, port: 993, timeoutMs: 1000 }))).toBe('BLOCKED_ADDRESS');
    }
    for (const host of ['imap.example.test', 'mapped.example.test']) {
      expect(await codeOf(closed.connectTcp({ host, port: 993, timeoutMs: 1000 }))).toBe('DNS_NOT_FOUND');
      expect(await codeOf(closed.connectTls({ host, port: 993, timeoutMs: 1000 }))).toBe('DNS_NOT_FOUND');
    }
    expect(await codeOf(closed.connectTcp({ host: 'imap.example.test', port: silent.port, timeoutMs: 1000 }))).toBe('PORT_NOT_ALLOWED');
    expect(silent.connections).toBe(before);
  });
});

describe('fetchText / request', () => {
  const url = (path: string) => `https://web.example.test:${web.port}${path}`;

  it('fetches over HTTPS from the checked address, with the Host header of the name', async () => {
    web.setRoutes({ '/doc': { body: '<ok/>', headers: { 'x-test': 'yes' } } });
    const response = await open.fetchText(url('/doc?q=1'), { timeoutMs: 2000 });
    expect(response).toMatchObject({ status: 200, body: '<ok/>', url: url('/doc?q=1') });
    expect(response.headers['x-test']).toBe('yes');
    expect(web.requests.at(-1)).toBe('GET web.example.test /doc?q=1');
  });

  it('follows up to three redirects, re-checking each, and refuses the fourth', async () => {
    web.setRoutes({
      '/r1': { status: 302, headers: { location: '/r2' } },
      '/r2': { status: 301, headers: { location: url('/r3') } },
      '/r3': { status: 307, headers: { location: '/done' } },
      '/r4': { status: 302, headers: { location: '/r1' } },
      '/done': { body: 'arrived' },
    });
    expect(await open.fetchText(url('/r1'), { timeoutMs: 2000 })).toMatchObject({ body: 'arrived', url: url('/done') });
    expect(await codeOf(open.fetchText(url('/r4'), { timeoutMs: 2000 }))).toBe('TOO_MANY_REDIRECTS');
    expect(await codeOf(open.fetchText(url('/r1'), { timeoutMs: 2000, maxRedirects: 1 }))).toBe('TOO_MANY_REDIRECTS');
  });

  it('caps the response size, declared or streamed', async () => {
    web.setRoutes({ '/big': { body: 'x'.repeat(5000) } });
    expect(await codeOf(open.fetchText(url('/big'), { timeoutMs: 2000, maxBytes: 1000 }))).toBe('RESPONSE_TOO_LARGE');
    web.setRoutes({ '/big': { body: 'x'.repeat(5000), headers: { 'transfer-encoding': 'chunked' } } });
    expect(await codeOf(open.fetchText(url('/big'), { timeoutMs: 2000, maxBytes: 1000 }))).toBe('RESPONSE_TOO_LARGE');
  });

  it('times out on a server that never answers', async () => {
    web.setRoutes({ '/slow': { hang: true } });
    expect(await codeOf(open.fetchText(url('/slow'), { timeoutMs: 200 }))).toBe('TIMEOUT');
  });

  it('refuses plain http unless private networks are allowed', async () => {
    const before = silent.connections;
    expect(await codeOf(closed.fetchText(`http://web.example.test:${silent.port}/`, { timeoutMs: 1000 }))).toBe('BLOCKED_ADDRESS');
    expect(silent.connections).toBe(before);
  });

  it('returns error statuses as answers and reports a bad URL', async () => {
    web.setRoutes({});
    expect((await open.fetchText(url('/missing'), { timeoutMs: 2000 })).status).toBe(404);
    expect(await codeOf(open.fetchText('not a url', { timeoutMs: 1000 }))).toBe('NETWORK_ERROR');
  });

  it('sends any method with a body (token calls) and does not follow redirects', async () => {
    web.setRoutes({
      '/token': { body: ({ method, body }) => JSON.stringify({ method, body }), headers: { 'content-type': 'application/json' } },
      '/moved': { status: 302, headers: { location: '/token' } },
    });
    const response = await open.request(url('/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
      timeoutMs: 2000,
    });
    expect(JSON.parse(response.body)).toEqual({ method: 'POST', body: 'grant_type=refresh_token' });
    expect((await open.request(url('/moved'), { method: 'GET', timeoutMs: 2000 })).status).toBe(302);
  });
});

describe('without configured DNS servers', () => {
  it('uses the system resolver for addresses (localhost from /etc/hosts)', async () => {
    const system = new SafeNetwork({ allowPrivateNetworks: true });
    expect((await system.resolveSafeAddress('localhost')).address).toMatch(/^(127\.0\.0\.1|::1)$/);
    const strict = new SafeNetwork({ allowPrivateNetworks: false });
    expect(await codeOf(strict.resolveSafeAddress('localhost'))).toBe('BLOCKED_ADDRESS');
  });

});

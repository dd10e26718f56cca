import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type TestCa } from '../testing/certs.js';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server.js';
import { startHttpsServer, type TestHttpsServer } from '../testing/https-server.js';
import { startSilentListener, type CountingListener } from '../testing/listeners.js';
import { SafeNetwork } from '../net/index.js';
import { startMailGreeter, type MailGreeter } from '../testing/mail-greeter.js';
import { createDetector, type Detector, type DetectionProgress, type DetectorOptions } from './index.js';

const LOOPBACK = { A: ['127.0.0.1'] };

const autoconfigXml = (imapHost: string, smtpHost: string, username = '%EMAILADDRESS%') => `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="x">
  <incomingServer type="imap"><hostname>${imapHost}</hostname><port>993</port><socketType>SSL</socketType><username>${username}</username></incomingServer>
  <outgoingServer type="smtp"><hostname>${smtpHost}</hostname><port>465</port><socketType>SSL</socketType><username>${username}</username></outgoingServer>
</emailProvider></clientConfig>`;

const askedAddress = (url: string) => new URL(url, 'https://x.invalid').searchParams.get('emailaddress') ?? '';

let ca: TestCa;
let dns: TestDnsServer;
let web: TestHttpsServer;
let peers: { imaps: MailGreeter; imap: MailGreeter; smtps: MailGreeter; submission: MailGreeter };
let silent: CountingListener;
let net: SafeNetwork;
let detector: Detector;

function makeDetector(extra: Partial<DetectorOptions> = {}): Detector {
  return createDetector({
    net,
    deadlineMs: 2500,
    guessAfterMs: 50,
    ports: { https: web.port, imaps: peers.imaps.port, imap: peers.imap.port, smtps: peers.smtps.port, submission: peers.submission.port },
    ...extra,
  });
}

async function detectWithProgress(target: Detector, email: string) {
  const events: DetectionProgress[] = [];
  const result = await target.detect(email, { onProgress: (event) => events.push(event) });
  return { result, events };
}

beforeAll(async () => {
  ca = createTestCa();
  const names = [
    'autoconfig.autoconf.test', 'autoconfig.peraddress.test', 'wellknown.test', 'autoconfig.m365auto.test', 'autoconfig.hoster.test', 'autoconfig.slow.test',
    'autoconfig.ranked.test', 'ispdb.test',
    'imap.guess.test', 'smtp.guess.test', 'mail.guess.test', 'guess.test',
    'mail.half.test', 'half.test',
  ];
  const cert = ca.issue(names);
  web = await startHttpsServer(cert, {
    // Like automx: fills in the address it was asked about.
    'autoconfig.autoconf.test/mail/config-v1.1.xml': { body: ({ url }) => autoconfigXml('imap.autoconf.test', 'smtp.autoconf.test', askedAddress(url)) },
    // Like YunoHost/automx with a login table: each address gets its own login name.
    'autoconfig.peraddress.test/mail/config-v1.1.xml': { body: ({ url }) => autoconfigXml('imap.peraddress.test', 'smtp.peraddress.test', `login-${askedAddress(url).split('@')[0]}`) },
    'wellknown.test/.well-known/autoconfig/mail/config-v1.1.xml': { body: autoconfigXml('mail.wellknown.test', 'mail.wellknown.test', '%EMAILLOCALPART%') },
    'autoconfig.m365auto.test/mail/config-v1.1.xml': { body: autoconfigXml('outlook.office365.com', 'smtp.office365.com') },
    'autoconfig.hoster.test/mail/config-v1.1.xml': { body: autoconfigXml('imap.hoster.test', 'smtp.hoster.test') },
    'autoconfig.slow.test/mail/config-v1.1.xml': { hang: true },
    'autoconfig.ranked.test/mail/config-v1.1.xml': { body: autoconfigXml('imap.ranked.test', 'smtp.ranked.test') },
    'ispdb.test/v1.1/ispdbonly.test': { body: autoconfigXml('imap.ispdbonly.test', 'smtp.ispdbonly.test') },
  });
  // Greeters with a certificate for other names than the ones probed prove the certificate check.
  const peerCert = ca.issue(['imap.guess.test', 'smtp.guess.test', 'mail.guess.test', 'guess.test', 'mail.half.test', 'half.test']);
  peers = {
    imaps: await startMailGreeter('imap', 'tls', peerCert),
    imap: await startMailGreeter('imap', 'starttls', peerCert),
    smtps: await startMailGreeter('smtp', 'tls', peerCert),
    submission: await startMailGreeter('smtp', 'starttls', peerCert),
  };
  silent = await startSilentListener();
  dns = await startDnsServer({
    'autoconf.test': {},
    'autoconfig.autoconf.test': LOOPBACK,
    'peraddress.test': {},
    'autoconfig.peraddress.test': LOOPBACK,
    'wellknown.test': LOOPBACK,
    'm365.test': { MX: [{ exchange: 'm365-test.mail.protection.outlook.com', priority: 0 }] },
    'newmx.test': { MX: [{ exchange: 'newmx-test.r-v1.mx.microsoft', priority: 0 }] },
    'm365auto.test': { MX: [{ exchange: 'm365auto-test.mail.protection.outlook.com', priority: 0 }] },
    'autoconfig.m365auto.test': LOOPBACK,
    'workspace.test': { MX: [{ exchange: 'aspmx.l.google.com', priority: 1 }, { exchange: 'alt1.aspmx.l.google.com', priority: 5 }] },
    'forward.test': { MX: [{ exchange: 'mx1.improvmx.com', priority: 10 }] },
    'hosted.test': { MX: [{ exchange: 'mx01.hoster.test', priority: 10 }] },
    'autoconfig.hoster.test': LOOPBACK,
    'srv.test': {},
    '_imaps._tcp.srv.test': {
      SRV: [
        { target: 'backup.srv.test', port: 993, priority: 20, weight: 100 },
        { target: 'light.srv.test', port: 993, priority: 10, weight: 1 },
        { target: 'imap.srv.test', port: 993, priority: 10, weight: 50 },
      ],
    },
    '_submissions._tcp.srv.test': { SRV: [{ target: '.', port: 0, priority: 0, weight: 0 }] },
    '_submission._tcp.srv.test': { SRV: [{ target: 'smtp.srv.test', port: 587, priority: 0, weight: 0 }] },
    'guess.test': LOOPBACK,
    'imap.guess.test': LOOPBACK,
    'smtp.guess.test': LOOPBACK,
    'mail.guess.test': LOOPBACK,
    'half.test': LOOPBACK,
    'mail.half.test': LOOPBACK,
    'badcert.test': LOOPBACK,
    'imap.badcert.test': LOOPBACK,
    'smtp.badcert.test': LOOPBACK,
    'mail.badcert.test': LOOPBACK,
    'hang.test': { hang: true },
    '*.hang.test': { hang: true },
    'slow.test': {},
    'autoconfig.slow.test': LOOPBACK,
    '_imaps._tcp.slow.test': { SRV: [{ target: 'imap.slow.test', port: 993 }] },
    'quiet.test': LOOPBACK,
    '*.quiet.test': LOOPBACK,
    'ranked.test': { MX: [{ exchange: 'aspmx.l.google.com', priority: 1 }] },
    'autoconfig.ranked.test': LOOPBACK,
    '_imaps._tcp.ranked.test': { SRV: [{ target: 'imap.ranked-srv.test', port: 993 }] },
    'empty.test': {},
    'ispdbonly.test': {},
    'ispdb.test': LOOPBACK,
  });
  net = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true, ca: ca.cert });
  detector = makeDetector();
});

afterAll(async () => {
  await Promise.all([dns?.close(), web?.close(), silent?.stop(), ...Object.values(peers ?? {}).map((p) => p.close())]);
});

describe('the built-in database', () => {
  it('answers a known provider without any network traffic', async () => {
    const before = dns.queries.length;
    const { result, events } = await detectWithProgress(detector, 'Support@GMAIL.com');
    expect(result).toMatchObject({
      email: 'Support@gmail.com',
      domain: 'gmail.com',
      provider: { id: 'gmail', name: 'Gmail', oauth: 'google', supported: true },
      imap: { host: 'imap.gmail.com', port: 993, security: 'tls', username: 'Support@gmail.com' },
      source: 'builtin',
      confidence: 'high',
      authMethods: ['oauth', 'password'],
    });
    expect(dns.queries.length).toBe(before);
    expect(events.map((e) => `${e.source}:${e.status}`)).toEqual(['builtin:start', 'builtin:end']);
  });

  it('offers only OAuth where the provider refuses passwords (Outlook.com)', async () => {
    const result = await detector.detect('someone@hotmail.com');
    expect(result).toMatchObject({ provider: { id: 'outlook', oauth: 'microsoft' }, source: 'builtin', authMethods: ['oauth'] });
  });

  it('answers a provider without IMAP as unsupported, with the reason', async () => {
    const result = await detector.detect('me@proton.me');
    expect(result).toMatchObject({ provider: { id: 'proton', supported: false }, imap: null, smtp: null, authMethods: [] });
    expect(result.notes.join(' ')).toMatch(/Bridge/);
  });
});

describe('MX look-up', () => {
  it('gives a custom domain on Microsoft 365 its servers and OAuth only (no password route since 2022), for both MX zones', async () => {
    for (const email of ['help@m365.test', 'help@newmx.test']) {
      const result = await detector.detect(email);
      expect(result).toMatchObject({
        provider: { id: 'microsoft-365', oauth: 'microsoft', supported: true },
        imap: { host: 'outlook.office365.com', username: email },
        source: 'mx',
        confidence: 'high',
        authMethods: ['oauth'],
      });
    }
  });

  it('recognises Google Workspace', async () => {
    const result = await detector.detect('help@workspace.test');
    expect(result).toMatchObject({ provider: { id: 'google-workspace', oauth: 'google' }, imap: { host: 'imap.gmail.com' }, source: 'mx' });
  });

  it('says a forwarding-only domain has no mailbox to connect', async () => {
    const result = await detector.detect('help@forward.test');
    expect(result).toMatchObject({ provider: { supported: false }, imap: null, smtp: null, source: 'mx', authMethods: [] });
    expect(result.notes.length).toBeGreaterThan(0);
  });

  it('reads the autoconfig of the MX host’s domain, without sending it the address', async () => {
    const result = await detector.detect('help@hosted.test');
    expect(result).toMatchObject({ source: 'autoconfig', confidence: 'medium', imap: { host: 'imap.hoster.test', username: 'help@hosted.test' } });
    expect(result.notes).toContain('Settings published by hoster.test, which handles mail for hosted.test.');
    const asked = web.requests.filter((r) => r.includes('hoster.test'));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.join('\n')).not.toContain('emailaddress');
  });
});

describe('the domain’s own autoconfig', () => {
  it('is read over HTTPS with the address, and a filled-in username is turned back into a placeholder', async () => {
    const { result, events } = await detectWithProgress(detector, 'someone@autoconf.test');
    expect(result).toMatchObject({
      provider: null,
      imap: { host: 'imap.autoconf.test', port: 993, security: 'tls', username: 'someone@autoconf.test' },
      smtp: { host: 'smtp.autoconf.test', port: 465, security: 'tls' },
      source: 'autoconfig',
      confidence: 'high',
      authMethods: ['password'],
    });
    expect(web.requests).toContain('GET autoconfig.autoconf.test /mail/config-v1.1.xml?emailaddress=someone%40autoconf.test');
    const other = await detector.detect('other@autoconf.test');
    expect(other.imap?.username).toBe('other@autoconf.test');
    for (const source of ['mx', 'autoconfig']) {
      const mine = events.filter((e) => e.source === source).map((e) => e.status);
      expect(mine).toEqual(['start', 'end']);
    }
    expect(events.find((e) => e.source === 'autoconfig' && e.status === 'end')).toMatchObject({ found: true });
  });

  it('never serves one address’s per-address answer (its login) to another address of the domain', async () => {
    const fresh = makeDetector();
    const a = await fresh.detect('alice@peraddress.test');
    expect(a).toMatchObject({ source: 'autoconfig', imap: { host: 'imap.peraddress.test', username: 'login-alice' } });
    // The domain part is cached; the per-address part is not served to bob, and bob's own answer is asked for.
    expect(fresh.peek('bob@peraddress.test')).toBeUndefined();
    const mxQueries = dns.queries.filter((q) => q === 'MX peraddress.test').length;
    const [b, c] = await Promise.all([fresh.detect('bob@peraddress.test'), fresh.detect('carol@peraddress.test')]);
    expect(b.imap?.username).toBe('login-bob');
    expect(c.imap?.username).toBe('login-carol');
    expect(JSON.stringify([b, c])).not.toContain('login-alice');
    expect(dns.queries.filter((q) => q === 'MX peraddress.test').length).toBe(mxQueries);
    expect(web.requests).toContain('GET autoconfig.peraddress.test /mail/config-v1.1.xml?emailaddress=bob%40peraddress.test');
    // Alice's own answer stays cached for her alone.
    expect(fresh.peek('alice@peraddress.test')?.imap?.username).toBe('login-alice');
    // Two look-ups of one domain at once, for different addresses, still get their own logins.
    const other = makeDetector();
    const [d, e] = await Promise.all([other.detect('dave@peraddress.test'), other.detect('erin@peraddress.test')]);
    expect([d.imap?.username, e.imap?.username]).toEqual(['login-dave', 'login-erin']);
  });

  it('falls back to the .well-known URL, which never gets the address', async () => {
    const result = await detector.detect('desk@wellknown.test');
    expect(result).toMatchObject({ source: 'autoconfig', imap: { host: 'mail.wellknown.test', username: 'desk' } });
    expect(web.requests).toContain('GET wellknown.test /.well-known/autoconfig/mail/config-v1.1.xml');
  });

  it('keeps the OAuth provider named by the MX when autoconfig points at the same servers', async () => {
    const result = await detector.detect('help@m365auto.test');
    expect(result).toMatchObject({ source: 'autoconfig', provider: { id: 'microsoft-365', oauth: 'microsoft' }, authMethods: ['oauth'] });
  });

  it('outranks SRV and MX, which become alternatives in that order', async () => {
    const result = await detector.detect('help@ranked.test');
    expect(result.source).toBe('autoconfig');
    expect(result.imap?.host).toBe('imap.ranked.test');
    const alternatives = result.alternatives.map((a) => `${a.source}:${a.imap?.host}`);
    expect(alternatives).toContain('mx:imap.gmail.com');
    expect(alternatives).toContain('srv:imap.ranked-srv.test');
    // The domain's own SRV records outrank what its MX suggests.
    expect(alternatives.indexOf('srv:imap.ranked-srv.test')).toBeLessThan(alternatives.indexOf('mx:imap.gmail.com'));
  });
});

describe('SRV records', () => {
  it('follow priority then weight, prefer implicit TLS, and skip a service marked "."', async () => {
    const result = await detector.detect('help@srv.test');
    expect(result).toMatchObject({
      source: 'srv',
      confidence: 'medium',
      imap: { host: 'imap.srv.test', port: 993, security: 'tls', username: 'help@srv.test' },
      smtp: { host: 'smtp.srv.test', port: 587, security: 'starttls' },
    });
  });
});

describe('guessing', () => {
  it('probes common names with TLS, STARTTLS and greetings, never logging in, with low confidence', async () => {
    const { result, events } = await detectWithProgress(detector, 'help@guess.test');
    expect(result).toMatchObject({
      source: 'guess',
      confidence: 'low',
      imap: { host: 'imap.guess.test', port: peers.imaps.port, security: 'tls' },
      smtp: { host: 'smtp.guess.test', port: peers.smtps.port, security: 'tls' },
    });
    expect(result.notes.join(' ')).toMatch(/connection test/);
    expect(events.some((e) => e.source === 'guess' && e.status === 'end' && e.found)).toBe(true);
    const commands = Object.values(peers).flatMap((p) => p.commands);
    expect(commands.some((c) => /STARTTLS/i.test(c))).toBe(true);
    expect(commands.some((c) => /EHLO/i.test(c))).toBe(true);
    expect(commands.filter((c) => /LOGIN|AUTH/i.test(c))).toEqual([]);
  });

  it('prefers the next name when the first does not resolve', async () => {
    const result = await detector.detect('help@half.test');
    expect(result).toMatchObject({ source: 'guess', imap: { host: 'mail.half.test' }, smtp: { host: 'mail.half.test' } });
  });

  it('does not trust a server whose certificate is for another name', async () => {
    const result = await detector.detect('help@badcert.test');
    expect(result).toMatchObject({ source: 'none', imap: null, smtp: null, provider: null });
  });
});

describe('the deadline', () => {
  it('answers when every source hangs, reporting the cut-off sources', async () => {
    const quick = makeDetector({ deadlineMs: 400, guessAfterMs: 100 });
    const { result, events } = await detectWithProgress(quick, 'help@hang.test');
    expect(result).toMatchObject({ source: 'none', imap: null, smtp: null });
    const cut = events.filter((e) => e.status === 'end' && e.error === 'TIMEOUT').map((e) => e.source);
    expect(cut).toEqual(expect.arrayContaining(['mx', 'autoconfig', 'srv']));
  });

  it('uses whatever answered in time when the better source hangs', async () => {
    const quick = makeDetector({ deadlineMs: 1500 });
    const { result, events } = await detectWithProgress(quick, 'help@slow.test');
    expect(result).toMatchObject({ source: 'srv', imap: { host: 'imap.slow.test' } });
    expect(events.find((e) => e.source === 'autoconfig' && e.status === 'end')).toMatchObject({ error: 'TIMEOUT' });
  });

  it('gives up on mail servers that accept and never speak', async () => {
    const quiet = makeDetector({ deadlineMs: 1500, guessAfterMs: 10, ports: { https: web.port, imaps: silent.port, imap: silent.port, smtps: silent.port, submission: silent.port } });
    const before = silent.connections;
    const { result, events } = await detectWithProgress(quiet, 'help@quiet.test');
    expect(result.source).toBe('none');
    expect(silent.connections).toBeGreaterThan(before);
    expect(events.find((e) => e.source === 'guess' && e.status === 'end')).toMatchObject({ found: false, error: 'TIMEOUT' });
  });
});

describe('misses, caching and sharing', () => {
  it('says when a domain does not exist', async () => {
    const { result, events } = await detectWithProgress(detector, 'help@nx.test');
    expect(events.find((e) => e.source === 'mx' && e.status === 'end')).toMatchObject({ found: false, error: 'DNS_NOT_FOUND' });
    expect(result).toMatchObject({ source: 'none', provider: null, imap: null, smtp: null, confidence: 'low', authMethods: ['password'], alternatives: [] });
    expect(result.notes[0]).toBe('The domain nx.test does not exist. Check the address for a typing mistake.');
  });

  it('caches answers and misses per domain', async () => {
    const fresh = makeDetector();
    await fresh.detect('a@srv.test');
    await fresh.detect('a@empty.test');
    const queries = dns.queries.length;
    const requests = web.requests.length;
    const again = await fresh.detect('b@srv.test');
    const miss = await fresh.detect('b@empty.test');
    expect(again).toMatchObject({ source: 'srv', imap: { username: 'b@srv.test' } });
    expect(miss.source).toBe('none');
    expect(dns.queries.length).toBe(queries);
    expect(web.requests.length).toBe(requests);
    expect(fresh.peek('c@srv.test')?.source).toBe('srv');
    fresh.clearCache();
    expect(fresh.peek('c@srv.test')).toBeUndefined();
  });

  it('shares one look-up between concurrent requests for a domain', async () => {
    const fresh = makeDetector();
    const before = dns.queries.filter((q) => q === 'MX srv.test').length;
    const results = await Promise.all([fresh.detect('a@srv.test'), fresh.detect('b@srv.test'), fresh.detect('c@srv.test')]);
    expect(results.map((r) => r.imap?.username)).toEqual(['a@srv.test', 'b@srv.test', 'c@srv.test']);
    expect(dns.queries.filter((q) => q === 'MX srv.test').length).toBe(before + 1);
  });

  it('refuses what is not an address before any look-up', async () => {
    const before = dns.queries.length;
    await expect(detector.detect('not an address')).rejects.toMatchObject({ code: 'INVALID_EMAIL' });
    expect(dns.queries.length).toBe(before);
  });
});

describe('remote ISPDB', () => {
  it('is never asked unless configured', async () => {
    const { events } = await detectWithProgress(makeDetector(), 'help@ispdbonly.test');
    expect(events.some((e) => e.source === 'ispdb')).toBe(false);
    expect(web.requests.some((r) => r.includes('/v1.1/'))).toBe(false);
  });

  it('answers from the configured ISPDB with the domain only', async () => {
    const withIspdb = makeDetector({ ispdbUrl: `https://ispdb.test:${web.port}/v1.1/` });
    const result = await withIspdb.detect('help@ispdbonly.test');
    expect(result).toMatchObject({ source: 'ispdb', confidence: 'medium', imap: { host: 'imap.ispdbonly.test', username: 'help@ispdbonly.test' } });
    expect(web.requests).toContain('GET ispdb.test /v1.1/ispdbonly.test');
  });
});

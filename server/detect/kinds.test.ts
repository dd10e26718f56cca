/**
 * The fault kinds real domains hit (issue 14), each against local peers: a DNS server, an HTTPS
 * autoconfig server with the test CA, and IMAP/SMTP greeters — some of which never speak.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type TestCa } from '../testing/certs.js';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server.js';
import { startHttpsServer, type TestHttpsServer } from '../testing/https-server.js';
import { startMailGreeter, type MailGreeter } from '../testing/mail-greeter.js';
import { startSilentListener } from '../testing/listeners.js';
import { SafeNetwork } from '../net/index.js';
import { createDetector, type DetectionProgress, type Detector, type DetectorOptions } from './index.js';

const LOOPBACK = { A: ['127.0.0.1'] };
/** A second loopback address, where the servers that accept and never speak listen on the same ports. */
const SILENT = { A: ['127.0.0.2'] };
/** A third, where servers speak TLS with a valid certificate but the wrong protocol. */
const WRONG = { A: ['127.0.0.3'] };

const autoconfigXml = (imap: string, smtp: string, options: { username?: string; auth?: string[] } = {}) => {
  const auth = (options.auth ?? []).map((a) => `<authentication>${a}</authentication>`).join('');
  const username = options.username ?? '%EMAILADDRESS%';
  return `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x">
  <incomingServer type="imap"><hostname>${imap}</hostname><port>993</port><socketType>SSL</socketType><username>${username}</username>${auth}</incomingServer>
  <outgoingServer type="smtp"><hostname>${smtp}</hostname><port>587</port><socketType>STARTTLS</socketType><username>${username}</username>${auth}</outgoingServer>
</emailProvider></clientConfig>`;
};

let ca: TestCa;
let dns: TestDnsServer;
let web: TestHttpsServer;
let peers: { imaps: MailGreeter; imap: MailGreeter; smtps: MailGreeter; submission: MailGreeter };
let silent: { connections: () => number; close: () => Promise<void> };
let wrong: { close: () => Promise<void> };
let network: SafeNetwork;

function makeDetector(extra: Partial<DetectorOptions> = {}): Detector {
  return createDetector({
    net: network,
    deadlineMs: 2500,
    guessAfterMs: 50,
    ports: { https: web.port, imaps: peers.imaps.port, imap: peers.imap.port, smtps: peers.smtps.port, submission: peers.submission.port },
    ...extra,
  });
}

async function detect(detector: Detector, email: string) {
  const events: DetectionProgress[] = [];
  const result = await detector.detect(email, { onProgress: (e) => events.push(e) });
  return { result, events };
}

/** TLS listeners on 127.0.0.3 that greet like the other protocol (SMTP on the IMAP port and the reverse). */
async function startWrongSpeakers(certificate: { key: string; cert: string }, ports: { imaps: number; smtps: number }) {
  const sockets = new Set<net.Socket>();
  const servers = await Promise.all(
    [
      [ports.imaps, '220 mail.example ESMTP ready\r\n'],
      [ports.smtps, '* OK IMAP4rev1 ready\r\n'],
    ].map(
      ([port, greeting]) =>
        new Promise<tls.Server>((resolve, reject) => {
          const server = tls.createServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
            sockets.add(socket);
            socket.on('error', () => {});
            socket.write(String(greeting));
          });
          server.on('tlsClientError', () => {});
          server.once('error', reject);
          server.listen(Number(port), '127.0.0.3', () => resolve(server));
        }),
    ),
  );
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

/** Listeners on 127.0.0.2 at the greeters' ports that accept every connection and never send a byte. */
async function startSilentTwins(ports: number[]) {
  const listeners = await Promise.all(ports.map((port) => startSilentListener({ host: '127.0.0.2', port })));
  return {
    connections: () => listeners.reduce((n, l) => n + l.connections, 0),
    close: async () => void (await Promise.all(listeners.map((l) => l.stop()))),
  };
}

beforeAll(async () => {
  ca = createTestCa();
  const webNames = ['autoconfig.templated.test', 'autoconfig.m365filtered.test', 'autoconfig.acme.test', 'autoconfig.mail.hoster2.test', 'autoconfig.oauthonly.test', 'autoconfig.nullmx.test'];
  web = await startHttpsServer(ca.issue(webNames), {
    'autoconfig.templated.test/mail/config-v1.1.xml': { body: autoconfigXml('mail.%EMAILDOMAIN%', 'smtp.%EMAILDOMAIN%', { username: '%EMAILLOCALPART%', auth: ['password-encrypted'] }) },
    'autoconfig.m365filtered.test/mail/config-v1.1.xml': { body: autoconfigXml('outlook.office365.com', 'smtp.office365.com', { auth: ['OAuth2', 'password-cleartext'] }) },
    'autoconfig.acme.test/mail/config-v1.1.xml': { body: autoconfigXml('imap.acme.test', 'smtp.acme.test') },
    'autoconfig.mail.hoster2.test/mail/config-v1.1.xml': { body: autoconfigXml('imap.hoster2.test', 'smtp.hoster2.test') },
    'autoconfig.oauthonly.test/mail/config-v1.1.xml': { body: autoconfigXml('imap.oauthonly.test', 'smtp.oauthonly.test', { auth: ['OAuth2'] }) },
    'autoconfig.nullmx.test/mail/config-v1.1.xml': { body: autoconfigXml('imap.nullmx.test', 'smtp.nullmx.test') },
  });
  const peerNames = ['imap.wrongspeaker.test', 'smtp.wrongspeaker.test', 'mail.wrongspeaker.test', 'mail.hungimap.test', 'imap.hungimap.test', 'smtp.hungimap.test', 'hungimap.test', 'imap.nullmx.test', 'smtp.nullmx.test', 'mail.nullmx.test', 'nullmx.test', 'imap.cutshort.test', 'mail.cutshort.test'];
  const cert = ca.issue(peerNames);
  peers = {
    imaps: await startMailGreeter('imap', 'tls', cert),
    imap: await startMailGreeter('imap', 'starttls', cert),
    smtps: await startMailGreeter('smtp', 'tls', cert),
    submission: await startMailGreeter('smtp', 'starttls', cert),
  };
  const twins = await startSilentTwins([peers.imaps.port, peers.imap.port, peers.smtps.port, peers.submission.port]);
  silent = twins;
  wrong = await startWrongSpeakers(cert, { imaps: peers.imaps.port, smtps: peers.smtps.port });
  dns = await startDnsServer({
    // 1. Shared hosting with wildcard DNS: imap.<domain> accepts and never speaks, mail.<domain> answers.
    'hungimap.test': {},
    'imap.hungimap.test': SILENT,
    'smtp.hungimap.test': SILENT,
    'mail.hungimap.test': LOOPBACK,
    // imap./smtp.<domain> speak TLS with a good certificate, but the other protocol.
    'wrongspeaker.test': {},
    'imap.wrongspeaker.test': WRONG,
    'smtp.wrongspeaker.test': WRONG,
    'mail.wrongspeaker.test': LOOPBACK,
    // Everything guessable hangs, but one slow answer is reported before the deadline.
    'cutshort.test': {},
    'imap.cutshort.test': SILENT,
    'mail.cutshort.test': LOOPBACK,
    // 2. Placeholders in host names.
    'templated.test': {},
    'autoconfig.templated.test': LOOPBACK,
    // 3. MX on the address's own registrable domain, and an MX host whose parent publishes autoconfig.
    'helpdesk.acme.test': { MX: [{ exchange: 'mx1.acme.test', priority: 10 }] },
    'acme.test': {},
    'autoconfig.acme.test': LOOPBACK,
    'shop2.test': { MX: [{ exchange: 'mx01.mail.hoster2.test', priority: 10 }] },
    'autoconfig.mail.hoster2.test': LOOPBACK,
    // Only the most-preferred MX names the provider.
    'backupmx.test': { MX: [{ exchange: 'mx.backupmx.test', priority: 10 }, { exchange: 'aspmx.l.google.com', priority: 20 }] },
    // 4. Microsoft 365 behind filters, recognised from the other signals.
    'm365filtered.test': { MX: [{ exchange: 'eu-smtp-inbound-1.mimecast.com', priority: 10 }] },
    'autoconfig.m365filtered.test': LOOPBACK,
    'm365dns.test': {
      MX: [{ exchange: 'mx0a-001234.pphosted.com', priority: 10 }],
      TXT: ['v=spf1 include:spf.protection.outlook.com include:spf.example.net -all', 'MS=ms12345678'],
    },
    'autodiscover.m365dns.test': { CNAME: 'autodiscover.outlook.com' },
    'googlefiltered.test': { MX: [{ exchange: 'd123456a.ess.barracudanetworks.com', priority: 10 }], TXT: ['v=spf1 include:_spf.google.com ~all', 'google-site-verification=abc123'] },
    'onlyverified.test': { MX: [{ exchange: 'mx1.hc1234-56.iphmx.com', priority: 10 }], TXT: ['google-site-verification=abc123'] },
    'oauthonly.test': {},
    'autoconfig.oauthonly.test': LOOPBACK,
    // 5. Microsoft 365 by MX.
    'm365.test': { MX: [{ exchange: 'm365-test.mail.protection.outlook.com', priority: 0 }] },
    // 6. Null MX — with guessable hosts and an autoconfig that must not be used.
    'nullmx.test': { MX: [{ exchange: '.', priority: 0 }], ...LOOPBACK },
    'imap.nullmx.test': LOOPBACK,
    'smtp.nullmx.test': LOOPBACK,
    'mail.nullmx.test': LOOPBACK,
    'autoconfig.nullmx.test': { hang: true },
  });
  network = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true, ca: ca.cert });
});

afterAll(async () => {
  await Promise.all([dns?.close(), web?.close(), silent?.close(), wrong?.close(), ...Object.values(peers ?? {}).map((p) => p.close())]);
});

describe('kind 1: guessing when one probe hangs', () => {
  it('takes the server that answers when the more likely one accepts and never speaks, long before a 10 s deadline, and caches it as final', async () => {
    const detector = makeDetector({ deadlineMs: 10_000 });
    const before = silent.connections();
    const { result, events } = await detect(detector, 'help@hungimap.test');
    expect(result).toMatchObject({
      source: 'guess',
      imap: { host: 'mail.hungimap.test', port: peers.imaps.port, security: 'tls' },
      smtp: { host: 'mail.hungimap.test', port: peers.smtps.port, security: 'tls' },
    });
    expect(silent.connections()).toBeGreaterThan(before);
    // Not cut off by the deadline: guessing ended with its answer, and nothing reports a timeout.
    expect(events.find((e) => e.source === 'guess' && e.status === 'end')).toEqual(expect.objectContaining({ found: true }));
    expect(events.some((e) => e.status === 'end' && e.error === 'TIMEOUT')).toBe(false);
    const queries = dns.queries.length;
    expect((await detector.detect('other@hungimap.test')).imap?.host).toBe('mail.hungimap.test');
    expect(dns.queries.length).toBe(queries);
  });

  it('passes over servers that answer as the wrong protocol and takes the one that speaks IMAP and SMTP', async () => {
    const { result } = await detect(makeDetector(), 'help@wrongspeaker.test');
    expect(result).toMatchObject({
      source: 'guess',
      imap: { host: 'mail.wrongspeaker.test', port: peers.imaps.port },
      smtp: { host: 'mail.wrongspeaker.test', port: peers.smtps.port },
    });
  });

  it('uses what guessing found so far when the deadline cuts it short, and does not cache that answer', async () => {
    // The preference grace is longer than the deadline here, so guessing is still waiting for imap.cutshort.test.
    const detector = makeDetector({ deadlineMs: 1500, guessAfterMs: 0, preferenceGraceMs: 60_000 });
    const { result, events } = await detect(detector, 'help@cutshort.test');
    expect(result).toMatchObject({ source: 'guess', imap: { host: 'mail.cutshort.test' } });
    expect(events.find((e) => e.source === 'guess' && e.status === 'end')).toEqual(expect.objectContaining({ error: 'TIMEOUT' }));
    const queries = dns.queries.filter((q) => q === 'MX cutshort.test').length;
    await detector.detect('help@cutshort.test');
    expect(dns.queries.filter((q) => q === 'MX cutshort.test').length).toBe(queries + 1);
  });
});

describe('kind 2: autoconfig templates', () => {
  it('fills %EMAILDOMAIN% into host names and %EMAILLOCALPART% into user names, and reads <authentication>', async () => {
    const { result } = await detect(makeDetector(), 'Desk@templated.test');
    expect(result).toMatchObject({
      source: 'autoconfig',
      imap: { host: 'mail.templated.test', username: 'Desk' },
      smtp: { host: 'smtp.templated.test', port: 587, security: 'starttls', username: 'Desk' },
      authMethods: ['password'],
    });
  });

  it('offers OAuth only where a known provider can do it: an OAuth2-only document of an unknown server keeps the password form', async () => {
    const { result } = await detect(makeDetector(), 'help@oauthonly.test');
    expect(result).toMatchObject({ source: 'autoconfig', provider: null, authMethods: ['password'] });
  });
});

describe('kind 3: MX-based discovery', () => {
  it('reads the autoconfig of the MX host’s registrable domain when it is the address’s own parent domain', async () => {
    const { result } = await detect(makeDetector(), 'help@helpdesk.acme.test');
    expect(result).toMatchObject({ source: 'autoconfig', confidence: 'medium', imap: { host: 'imap.acme.test', username: 'help@helpdesk.acme.test' } });
    expect(web.requests).toContain('GET autoconfig.acme.test /mail/config-v1.1.xml');
  });

  it('reads the autoconfig of the MX host minus its first label', async () => {
    const { result } = await detect(makeDetector(), 'help@shop2.test');
    expect(result).toMatchObject({ source: 'autoconfig', imap: { host: 'imap.hoster2.test' } });
    expect(result.notes).toContain('Settings published by mail.hoster2.test, which handles mail for shop2.test.');
  });

  it('infers the provider from the most-preferred MX only', async () => {
    const { result } = await detect(makeDetector({ deadlineMs: 800 }), 'help@backupmx.test');
    expect(result.provider).toBeNull();
    expect(result.source).not.toBe('mx');
  });
});

describe('kind 4: the hosted provider from every signal', () => {
  it('finds Microsoft 365 behind Mimecast from the servers its own autoconfig names, and offers OAuth only', async () => {
    const { result } = await detect(makeDetector(), 'help@m365filtered.test');
    expect(result).toMatchObject({
      source: 'autoconfig',
      provider: { id: 'microsoft-365', oauth: 'microsoft', supported: true },
      imap: { host: 'outlook.office365.com' },
      authMethods: ['oauth'],
    });
    const notes = result.notes.join(' ');
    expect(notes).toMatch(/Mimecast/);
    expect(notes).toMatch(/not where the mailboxes are/);
    expect(notes).toMatch(/outlook\.office365\.com, a Microsoft 365 server/);
  });

  it('finds Microsoft 365 behind Proofpoint from the autodiscover alias, the SPF include and the MS= record, saying so', async () => {
    const { result } = await detect(makeDetector({ deadlineMs: 1500 }), 'help@m365dns.test');
    expect(result).toMatchObject({ source: 'mx', confidence: 'medium', provider: { id: 'microsoft-365' }, imap: { host: 'outlook.office365.com' }, authMethods: ['oauth'] });
    const notes = result.notes.join(' ');
    expect(notes).toMatch(/Proofpoint/);
    expect(notes).toMatch(/autodiscover\.m365dns\.test points to autodiscover\.outlook\.com/);
    expect(notes).toMatch(/SPF record includes spf\.protection\.outlook\.com/);
    expect(notes).toMatch(/MS=/);
  });

  it('finds Google Workspace behind Barracuda from its SPF include and verification record', async () => {
    const { result } = await detect(makeDetector({ deadlineMs: 1500 }), 'help@googlefiltered.test');
    expect(result).toMatchObject({ provider: { id: 'google-workspace', oauth: 'google' }, imap: { host: 'imap.gmail.com' }, confidence: 'medium' });
    expect(result.notes.join(' ')).toMatch(/Barracuda/);
  });

  it('does not name a provider from a verification record alone, and never calls a filter the mailbox', async () => {
    const { result } = await detect(makeDetector({ deadlineMs: 1000 }), 'help@onlyverified.test');
    expect(result.provider).toBeNull();
    expect(result.imap?.host ?? '').not.toMatch(/iphmx/);
    expect(result.notes.join(' ')).toMatch(/Cisco Secure Email/);
  });
});

describe('kind 5: what Microsoft 365 accepts today', () => {
  it('answers a tenant found by MX with OAuth only', async () => {
    const { result } = await detect(makeDetector(), 'help@m365.test');
    expect(result).toMatchObject({ source: 'mx', provider: { id: 'microsoft-365' }, authMethods: ['oauth'] });
  });
});

describe('kind 6: null MX (RFC 7505)', () => {
  it('says at once that the domain accepts no mail, without guessing or waiting for its autoconfig', async () => {
    const connections = Object.values(peers).reduce((n, p) => n + p.connections, 0);
    const { result, events } = await detect(makeDetector({ deadlineMs: 5000, guessAfterMs: 0 }), 'help@nullmx.test');
    expect(result).toMatchObject({ source: 'none', provider: null, imap: null, smtp: null });
    expect(result.notes[0]).toMatch(/nullmx\.test accepts no email.*null MX.*RFC 7505/);
    expect(events.find((e) => e.source === 'mx' && e.status === 'end')).toEqual(expect.objectContaining({ found: false }));
    expect(events.find((e) => e.source === 'autoconfig' && e.status === 'end')).toEqual(expect.objectContaining({ error: 'SKIPPED' }));
    expect(Object.values(peers).reduce((n, p) => n + p.connections, 0)).toBe(connections);
  });
});

describe('kind 8: the rebuilt provider database', () => {
  it('answers a regional alias domain a public list added to a curated provider, and an imported provider with medium confidence', async () => {
    const detector = makeDetector();
    const before = dns.queries.length;
    // Alias domains only the public lists knew, now on their curated providers.
    expect(await detector.detect('someone@operamail.com')).toMatchObject({ source: 'builtin', provider: { id: 'fastmail' }, imap: { host: 'imap.fastmail.com' } });
    expect(await detector.detect('someone@linuxmail.com')).toMatchObject({ source: 'builtin', provider: { id: 'mailcom' } });
    // A Google Workspace tenant from the lists gets Workspace (and its OAuth), not consumer Gmail.
    expect(await detector.detect('someone@nyu.edu')).toMatchObject({ source: 'builtin', provider: { id: 'google-workspace', oauth: 'google' } });
    expect(await detector.detect('someone@active24.com')).toMatchObject({ source: 'builtin', provider: { id: 'active24-com' }, confidence: 'medium', imap: { host: 'email.active24.com' } });
    expect(dns.queries.length).toBe(before);
  });
});

describe('kind 7: international addresses', () => {
  it('detects Thai and Hindi local parts and a combining accent, using the NFC spelling as the login', async () => {
    const detector = makeDetector();
    expect((await detector.detect('ติดต่อ@gmail.com')).imap?.username).toBe('ติดต่อ@gmail.com');
    expect((await detector.detect('संपर्क@gmail.com')).smtp?.username).toBe('संपर्क@gmail.com');
    const combining = await detector.detect('Jose\u0301@gmail.com');
    expect(combining).toMatchObject({ email: 'Jos\u00e9@gmail.com', imap: { username: 'Jos\u00e9@gmail.com' } });
  });

  it('keeps the clear INVALID_EMAIL for what is not an address', async () => {
    await expect(makeDetector().detect('José at gmail.com')).rejects.toMatchObject({ code: 'INVALID_EMAIL', message: expect.stringMatching(/spaces/) });
    await expect(makeDetector().detect('\u0301x@gmail.com')).rejects.toMatchObject({ code: 'INVALID_EMAIL' });
  });
});

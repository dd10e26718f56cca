/**
 * The blocked-address proof, run by server/detect/blocked.test.ts inside a network namespace that has only a
 * loopback interface (so nothing can leave the machine even if the code were wrong). The
 * namespace's `lo` also carries 10.9.9.9, 169.254.169.254 and a stand-in public address, so
 * counting listeners can sit on every address a hostile DNS answer might name — on the real
 * mail and web ports. Prints one JSON report on stdout.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestCa } from './certs.js';
import { startDnsServer } from './dns-server.js';
import { NetError, SafeNetwork } from '../net/index.js';
import { createDetector } from '../detect/index.js';
import type { DetectionProgress } from '../contract/detection.js';
import https from 'node:https';

export const PUBLIC_STAND_IN = '93.184.216.34';
export const BLOCKED_HOSTS = ['127.0.0.1', '::1', '10.9.9.9', '169.254.169.254'];
const PORTS = [25, 143, 443, 465, 587, 993];

async function countingListener(host: string, port: number): Promise<{ label: string; count: () => number; close: () => void }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { label: `${host}:${(server.address() as AddressInfo).port}`, count: () => connections, close: () => server.close() };
}

async function main(): Promise<void> {
  const ca = createTestCa();
  const listeners = await Promise.all(BLOCKED_HOSTS.flatMap((host) => PORTS.map((port) => countingListener(host, port))));
  const counts = () => Object.fromEntries(listeners.map((l) => [l.label, l.count()]));

  const publicRequests: string[] = [];
  const xml = `<clientConfig version="1.1"><emailProvider id="public.test">
    <incomingServer type="imap"><hostname>imap.public.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.public.test</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
  </emailProvider></clientConfig>`;
  const cert = ca.issue(['autoconfig.public.test', 'autoconfig.redirect.test']);
  const publicServer = https.createServer({ key: cert.key, cert: cert.cert }, (request, response) => {
    publicRequests.push(`${request.headers.host} ${request.url}`);
    if (request.headers.host === 'autoconfig.redirect.test') {
      response.writeHead(302, { location: 'https://internal.test/mail/config-v1.1.xml' }).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
    }
  });
  await new Promise<void>((resolve) => publicServer.listen(443, PUBLIC_STAND_IN, resolve));

  const dns = await startDnsServer({
    'victim.test': { MX: [{ exchange: 'mx.victim.test', priority: 10 }], A: ['10.9.9.9'], AAAA: ['::1'] },
    'mx.victim.test': { A: ['127.0.0.1'] },
    'autoconfig.victim.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
    '_imaps._tcp.victim.test': { SRV: [{ target: 'imap.victim.test', port: 993 }] },
    '_submission._tcp.victim.test': { SRV: [{ target: 'smtp.victim.test', port: 587 }] },
    'imap.victim.test': { A: ['169.254.169.254'], AAAA: ['::ffff:169.254.169.254'] },
    'smtp.victim.test': { AAAA: ['::ffff:127.0.0.1'] },
    'mail.victim.test': { A: ['10.9.9.9', '127.0.0.2'] },
    'guessvictim.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
    'imap.guessvictim.test': { A: ['169.254.169.254'] },
    'smtp.guessvictim.test': { A: ['10.9.9.9'] },
    'mail.guessvictim.test': { AAAA: ['::ffff:10.9.9.9', '::1'] },
    'public.test': {},
    'autoconfig.public.test': { A: [PUBLIC_STAND_IN] },
    'redirect.test': {},
    'autoconfig.redirect.test': { A: [PUBLIC_STAND_IN] },
    'internal.test': { A: ['127.0.0.1'] },
  });

  const strictNet = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: false, ca: ca.cert });
  const strict = createDetector({ net: strictNet, deadlineMs: 2500, guessAfterMs: 10 });
  const run = async (email: string) => {
    const events: DetectionProgress[] = [];
    const result = await strict.detect(email, { onProgress: (e) => events.push(e) });
    return { result, events };
  };

  const victim = await run('help@victim.test');
  const guessVictim = await run('help@guessvictim.test');
  const redirect = await run('help@redirect.test');
  const publicDomain = await run('help@public.test');
  const direct: Record<string, string> = {};
  for (const host of ['169.254.169.254', '0xa9fea9fe', '2852039166', '::ffff:a9fe:a9fe', '10.9.9.9', '012.9.9.9', '127.0.0.1', '2130706433', '127.1', '[::1]', 'localhost', 'mx.victim.test']) {
    try {
      const { socket } = await strictNet.connectTcp({ host, port: 993, timeoutMs: 1000 });
      socket.destroy();
      direct[host] = 'CONNECTED';
    } catch (error) {
      direct[host] = error instanceof NetError ? error.code : String(error);
    }
  }
  try {
    await strictNet.fetchText('https://169.254.169.254/latest/meta-data/', { timeoutMs: 1000 });
    direct['https://169.254.169.254/'] = 'FETCHED';
  } catch (error) {
    direct['https://169.254.169.254/'] = error instanceof NetError ? error.code : String(error);
  }
  const countsAfterStrict = counts();

  // Control: the same look-up with private networks allowed does reach the listeners.
  const open = createDetector({ net: new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true, ca: ca.cert }), deadlineMs: 1500, guessAfterMs: 10 });
  await open.detect('help@victim.test');
  await open.detect('help@guessvictim.test');
  const countsAfterControl = counts();

  process.stdout.write(JSON.stringify({ victim, guessVictim, redirect, publicDomain, direct, publicRequests, countsAfterStrict, countsAfterControl }));
  for (const l of listeners) l.close();
  publicServer.close();
  await dns.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);

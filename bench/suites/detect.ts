/**
 * Detection figures: known-domain `POST /detect` throughput as a ratio to a bare Hono route in
 * the same run (target ≥ 0.8); p50/p95 of a full unknown-domain detection against local peers
 * (DNS, HTTPS autoconfig, IMAP/SMTP greeters); the answer time when one guessed host hangs
 * (shared hosting with wildcard DNS) and when every source hangs (target ≤ 3 s).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../index.js';
import { loadTest, type LoadResult } from '../lib/load.js';
import { startBareHono, startServerProcess } from '../lib/processes.js';
import { median, repeat } from '../lib/stats.js';
import { createTestCa } from '../../server/testing/certs.js';
import { startDnsServer } from '../../server/testing/dns-server.js';
import { startHttpsServer } from '../../server/testing/https-server.js';
import { startMailGreeter } from '../../server/testing/mail-greeter.js';
import { startSilentListener } from '../../server/testing/listeners.js';
import { SafeNetwork } from '../../server/net/index.js';
import { createDetector } from '../../server/detect/index.js';

/** A guessed host that accepts and never speaks listens here, on the greeters' ports. */
const SILENT_ADDRESS = '127.0.0.2';

const LOAD_RUNS = 3;
const LOAD_SECONDS = 3;
const CONNECTIONS = 20;
const DETECTIONS = 40;
const HANG_RUNS = 3;
const HUNG_RUNS = 20;
const API_KEY = 'bench-detect-key';

const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} req/s`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function knownDomainThroughput(): Promise<BenchRow[]> {
  const server = await startServerProcess({
    env: {
      EMAIL_WIZARD_DB: join(mkdtempSync(join(tmpdir(), 'ecw-bench-detect-')), 'bench.sqlite'),
      EMAIL_WIZARD_API_KEYS: API_KEY,
      EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
      EMAIL_WIZARD_ENCRYPTION_KEYS: `b1:${randomBytes(32).toString('base64')}`,
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      // Known domains never leave the process; this keeps any slip on loopback.
      EMAIL_WIZARD_DNS_SERVERS: '127.0.0.1:9',
    },
  });
  const bare = await startBareHono();
  try {
    const minted = await fetch(`${server.apiUrl}/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountId: 'bench-detect' }),
    });
    const { token } = (await minted.json()) as { token: string };
    const detect = { method: 'POST', body: JSON.stringify({ email: 'support@gmail.com' }), headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } };
    const echo = { method: 'POST', body: JSON.stringify({ email: 'support@gmail.com' }), headers: { 'Content-Type': 'application/json' } };
    const results: Record<'bare' | 'barePost' | 'detect', LoadResult[]> = { bare: [], barePost: [], detect: [] };
    const options = { durationSeconds: LOAD_SECONDS, connections: CONNECTIONS };
    // Interleaved, so drift on a shared machine touches all three alike.
    for (let run = 0; run < LOAD_RUNS; run += 1) {
      results.bare.push(await loadTest(`${bare.url}/health`, options));
      results.barePost.push(await loadTest(`${bare.url}/echo`, { ...options, ...echo }));
      results.detect.push(await loadTest(`${server.apiUrl}/detect`, { ...options, ...detect }));
    }
    if (results.detect.some((r) => r.failures > 0)) throw new Error('POST /detect answered non-2xx under load');
    const rps = (name: keyof typeof results) => median(results[name].map((r) => r.requestsPerSecond));
    const p99 = (name: keyof typeof results) => median(results[name].map((r) => r.latencyP99Ms));
    return [
      { name: 'bare Hono GET /health (detect run)', value: rate(rps('bare')), note: `yardstick; median of ${LOAD_RUNS} × ${LOAD_SECONDS} s, ${CONNECTIONS} connections` },
      { name: 'bare Hono POST /echo (JSON body)', value: rate(rps('barePost')), note: `yardstick for JSON POST routes; p99 ${p99('barePost')} ms` },
      {
        name: 'POST /detect, known domain',
        value: rate(rps('detect')),
        note:
          `${(rps('detect') / rps('barePost')).toFixed(2)} × bare Hono POST, ${(rps('detect') / rps('bare')).toFixed(2)} × bare GET (target ≥ 0.8); ` +
          `p99 ${p99('detect')} ms; full middleware, session token, zod, built-in database`,
      },
    ];
  } finally {
    bare.stop();
    await server.stop();
  }
}

async function unknownDomainLatency(): Promise<BenchRow[]> {
  const ca = createTestCa();
  const names = ['autoconfig.autoconf.bench', 'imap.guess.bench', 'smtp.guess.bench', 'mail.guess.bench', 'guess.bench', 'imap.hungimap.bench', 'mail.hungimap.bench', 'smtp.hungimap.bench'];
  const cert = ca.issue(names);
  const xml = `<clientConfig version="1.1"><emailProvider id="autoconf.bench">
    <incomingServer type="imap"><hostname>imap.autoconf.bench</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.autoconf.bench</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
  </emailProvider></clientConfig>`;
  const web = await startHttpsServer(cert, { '/mail/config-v1.1.xml': { body: xml } });
  const peers = {
    imaps: await startMailGreeter('imap', 'tls', cert),
    imap: await startMailGreeter('imap', 'starttls', cert),
    smtps: await startMailGreeter('smtp', 'tls', cert),
    submission: await startMailGreeter('smtp', 'starttls', cert),
  };
  const silent = await Promise.all(Object.values(peers).map((p) => startSilentListener({ host: SILENT_ADDRESS, port: p.port })));
  const loopback = { A: ['127.0.0.1'] };
  const dns = await startDnsServer({
    'autoconf.bench': { MX: [{ exchange: 'mx.autoconf.bench', priority: 10 }] },
    'autoconfig.autoconf.bench': loopback,
    'guess.bench': loopback,
    '*.guess.bench': loopback,
    // Shared hosting with wildcard DNS: imap.<domain> accepts and never speaks, mail.<domain> answers.
    'hungimap.bench': {},
    'imap.hungimap.bench': { A: [SILENT_ADDRESS] },
    'smtp.hungimap.bench': { A: [SILENT_ADDRESS] },
    'mail.hungimap.bench': loopback,
    'hang.bench': { hang: true },
    '*.hang.bench': { hang: true },
  });
  try {
    const net = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true, ca: ca.cert });
    const ports = { https: web.port, imaps: peers.imaps.port, imap: peers.imap.port, smtps: peers.smtps.port, submission: peers.submission.port };
    const detector = createDetector({ net, ports });
    const timed = async (email: string) => {
      detector.clearCache();
      const result = await detector.detect(email);
      if (result.source === 'none') throw new Error(`bench detection of ${email} found nothing`);
      return result.elapsedMs;
    };
    const autoconfig = await repeat(DETECTIONS, () => timed('support@autoconf.bench'));
    const guessing = await repeat(DETECTIONS, () => timed('support@guess.bench'));
    const oneHung = await repeat(HUNG_RUNS, async () => {
      detector.clearCache();
      const result = await detector.detect('support@hungimap.bench');
      if (result.imap?.host !== 'mail.hungimap.bench') throw new Error('the answering host was not found next to the hung one');
      return result.elapsedMs;
    });
    const hanging = await repeat(HANG_RUNS, async () => {
      const started = performance.now();
      const result = await createDetector({ net, ports }).detect('support@hang.bench');
      if (result.source !== 'none') throw new Error('a hanging domain produced an answer');
      return performance.now() - started;
    });
    const cachedStart = performance.now();
    for (let i = 0; i < 1000; i += 1) await detector.detect(`user${i}@guess.bench`);
    const cachedMs = (performance.now() - cachedStart) / 1000;
    const spread = (values: number[]) => `p50 ${percentile(values, 50)} ms, p95 ${percentile(values, 95)} ms`;
    return [
      { name: 'unknown domain via autoconfig (MX+HTTPS+SRV)', value: spread(autoconfig), note: `${DETECTIONS} runs, cache cleared; local DNS, HTTPS autoconfig with test CA` },
      { name: 'unknown domain via guessing (12 probes)', value: spread(guessing), note: `${DETECTIONS} runs, cache cleared; TCP+TLS+greeting/EHLO+STARTTLS against loopback greeters` },
      {
        name: 'guessing when one guessed host hangs',
        value: spread(oneHung),
        note: `${HUNG_RUNS} runs; imap./smtp.<domain> accept and never speak, mail.<domain> answers; deadline 3000 ms (before: nothing at ~2975 ms)`,
      },
      { name: 'answer when every source hangs', value: `${Math.round(median(hanging))} ms`, note: `median of ${HANG_RUNS}; default deadline 3000 ms (target ≤ 3 s)` },
      { name: 'cached unknown domain, in-process', value: `${(cachedMs * 1000).toFixed(0)} µs`, note: 'mean of 1000 look-ups after the first' },
    ];
  } finally {
    await Promise.all([dns.close(), web.close(), ...silent.map((l) => l.stop()), ...Object.values(peers).map((p) => p.close())]);
  }
}

export default async function detect(): Promise<BenchRow[]> {
  return [...(await knownDomainThroughput()), ...(await unknownDomainLatency())];
}

/**
 * Connection-test figures, against a server process and real peers in this process (Dovecot,
 * smtp-server, a local DNS server): the combined IMAP+SMTP test's wall time against the slower
 * of the two alone (they run in parallel, target ≤ 1.2×), and 50 concurrent combined tests.
 * Every test uses its own session and host names, and the per-target limit is raised, so the rate limits
 * (which a real client would meet) do not distort the figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../index.js';
import { startServerProcess } from '../lib/processes.js';
import { median, repeat } from '../lib/stats.js';
import { startMailServers } from '../../server/testing/mail-servers.js';

const API_KEY = 'bench-host-key';
const RUNS = 21;
const CONCURRENT = 50;
const USER = 'alice@mail.test';
const PASSWORD = 'alice-password';

interface TestAnswer {
  ok: boolean;
  imap?: { ok: boolean; error?: { code: string } };
  smtp?: { ok: boolean; error?: { code: string } };
}

export default async function mailTestBench(): Promise<BenchRow[]> {
  const mail = await startMailServers({ extraNames: ['*.mail.test'] });
  const server = await startServerProcess({
    env: {
      ...mail.env,
      // The server process trusts the peers' test CA the way an operator would add a company CA.
      NODE_EXTRA_CA_CERTS: mail.ca.certPath,
      EMAIL_WIZARD_DB: join(mkdtempSync(join(tmpdir(), 'ecw-bench-mail-')), 'bench.sqlite'),
      DATABASE_URL: '',
      EMAIL_WIZARD_API_KEYS: API_KEY,
      EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
      EMAIL_WIZARD_ENCRYPTION_KEYS: `b1:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'warn',
      // Every bench mail host resolves to 127.0.0.1, and the per-target limit counts addresses:
      // the bench's hundreds of tests against one loopback address are not an abuse to refuse.
      EMAIL_WIZARD_TEST_TARGET_LIMIT: '100000',
    },
  });
  let sessions = 0;
  const session = async () => {
    const response = await fetch(`${server.apiUrl}/sessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountId: `bench-mail-${(sessions += 1)}` }),
    });
    return ((await response.json()) as { token: string }).token;
  };
  const runTest = async (label: string, parts: { imap?: boolean; smtp?: boolean }) => {
    const token = await session();
    const body = {
      ...(parts.imap ? { imap: { host: `imap-${label}.mail.test`, port: mail.dovecot.imapsPort, security: 'tls', username: USER } } : {}),
      ...(parts.smtp ? { smtp: { host: `smtp-${label}.mail.test`, port: mail.smtp.port, security: 'starttls', username: USER } } : {}),
      auth: { method: 'password', password: PASSWORD },
    };
    const started = performance.now();
    const response = await fetch(`${server.apiUrl}/test`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const answer = (await response.json()) as TestAnswer;
    return { ms: performance.now() - started, ok: response.status === 200 && answer.ok, status: response.status, answer };
  };

  try {
    await runTest('warm-up', { imap: true, smtp: true });
    const runs = await repeat(RUNS, async (run) => ({
      imap: await runTest(`imap-${run}`, { imap: true }),
      smtp: await runTest(`smtp-${run}`, { smtp: true }),
      both: await runTest(`both-${run}`, { imap: true, smtp: true }),
    }));
    const failures = runs.flatMap((r) => [r.imap, r.smtp, r.both]).filter((r) => !r.ok);
    if (failures.length > 0) throw new Error(`bench tests failed: ${JSON.stringify(failures[0])}`);
    const imapMs = median(runs.map((r) => r.imap.ms));
    const smtpMs = median(runs.map((r) => r.smtp.ms));
    const bothMs = median(runs.map((r) => r.both.ms));
    const slower = Math.max(imapMs, smtpMs);

    const started = performance.now();
    const burst = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => runTest(`burst-${i}`, { imap: true, smtp: true })));
    const burstMs = performance.now() - started;
    const burstFailures = burst.filter((r) => !r.ok);
    const latencies = burst.map((r) => r.ms).sort((a, b) => a - b);

    return [
      { name: 'mail test: IMAP alone (median)', value: `${imapMs.toFixed(0)} ms`, note: `Dovecot, implicit TLS, ${RUNS} runs` },
      { name: 'mail test: SMTP alone (median)', value: `${smtpMs.toFixed(0)} ms`, note: 'smtp-server, STARTTLS' },
      { name: 'mail test: IMAP+SMTP together (median)', value: `${bothMs.toFixed(0)} ms`, note: 'one POST /test' },
      { name: 'mail test: combined / slower alone', value: `${(bothMs / slower).toFixed(2)}×`, note: 'target ≤ 1.2×' },
      {
        name: `mail test: ${CONCURRENT} concurrent combined tests`,
        value: `${burstFailures.length} failed`,
        note: `wall ${burstMs.toFixed(0)} ms, p50 ${latencies[Math.floor(CONCURRENT / 2)]!.toFixed(0)} ms, p95 ${latencies[Math.floor(CONCURRENT * 0.95)]!.toFixed(0)} ms${
          burstFailures.length ? `; failures: ${failureCodes(burstFailures)}` : ''
        }`,
      },
    ];
  } finally {
    await server.stop();
    await mail.stop();
  }
}

/** "imap TIMEOUT ×2, HTTP 429 ×1": what went wrong, counted. */
function failureCodes(failures: Array<{ status: number; answer: TestAnswer }>): string {
  const counts = new Map<string, number>();
  for (const { status, answer } of failures) {
    const codes = status !== 200 ? [`HTTP ${status}`] : (['imap', 'smtp'] as const).filter((p) => answer[p]?.error).map((p) => `${p} ${answer[p]!.error!.code}`);
    for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].map(([code, count]) => `${code} ×${count}`).join(', ');
}

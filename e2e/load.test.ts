import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY } from '../server/testing/app.js';
import { startDnsServer, type TestDnsServer } from '../server/testing/dns-server.js';
import { findClosedPort } from '../server/testing/listeners.js';
import { startServerProcess, type ServerProcess } from '../server/testing/server-process.js';
import { httpTestApp } from './support/http-app.js';
import { runSustainedLoad } from './support/sustained-load.js';

/**
 * Load: `/detect` and `GET /settings` under sustained load from two other processes
 * (`ECW_LOAD_SECONDS`, default 5 here; `npm run bench` runs 60): no errors, memory flat. And the
 * `/test` rate limits hold under a concurrent burst: per session, then per mail host.
 */
const SECONDS = Number(process.env.ECW_LOAD_SECONDS ?? 5);
/** Growth allowed between the first and the last third of the run: GC noise, not a leak. */
const FLAT_MB = 40;
/** V8's old space is capped so that it cannot grow lazily: a leak would then show (or crash the server). */
const HEAP_LIMIT_MB = 96;

/**
 * The limits count in fixed windows aligned to the clock (one minute per host, ten per session):
 * a burst must not straddle a window's edge, or two windows would share it.
 */
async function awayFromWindowEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('sustained load on /detect and GET /settings', () => {
  it(`answers every request without an error for ${SECONDS} s, and memory stays flat with a ${HEAP_LIMIT_MB} MB heap`, async () => {
    const { detect, settings, rss } = await runSustainedLoad({ seconds: SECONDS, heapLimitMb: HEAP_LIMIT_MB });
    expect(detect.failures).toBe(0);
    expect(settings.failures).toBe(0);
    expect(detect.requestsPerSecond).toBeGreaterThan(0);
    expect(settings.requestsPerSecond).toBeGreaterThan(0);
    expect(rss.samples).toBeGreaterThan(4);
    expect(rss.lastThirdPeakMb - rss.firstThirdPeakMb).toBeLessThan(FLAT_MB);
  }, (SECONDS + 60) * 1000);
});

describe('/test rate limits under a concurrent burst', () => {
  let server: ServerProcess;
  let dns: TestDnsServer;
  let dataDir: string;
  let closedPort: number;
  const app = httpTestApp(() => server.url, TEST_API_KEY);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ecw-limits-'));
    closedPort = await findClosedPort();
    // The per-target limit counts the address a name resolves to, so each test below has its own
    // loopback address (a name shared with the other test would find its budget half spent), and
    // two names of one address share one budget.
    dns = await startDnsServer({
      'imap.limits.test': { A: ['127.0.0.1'] },
      'imap.other-limits.test': { A: ['127.0.0.2'] },
      'mail.other-limits.test': { A: ['127.0.0.2'] },
    });
    server = await startServerProcess({
      env: {
        EMAIL_WIZARD_DB: join(dataDir, 'limits.sqlite'),
        EMAIL_WIZARD_API_KEYS: TEST_API_KEY,
        EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
        EMAIL_WIZARD_DNS_SERVERS: dns.address,
        LOG_LEVEL: 'warn',
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await dns?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Tests against a closed loopback port: cheap (refused at once), but they count against the
   * limits. Request `i` goes to `hosts[i % hosts.length]`.
   */
  const burst = async (tokens: string[], hosts: string[]) => {
    await awayFromWindowEdge();
    return Promise.all(
      tokens.map(async (token, i) => {
        const host = hosts[i % hosts.length]!;
        const response = await app.request('/test', {
          method: 'POST',
          token,
          json: {
            imap: { host, port: closedPort, security: 'tls', username: 'u@limits.test' },
            auth: { method: 'password', password: 'limits-password' },
          },
        });
        const body = (await response.json()) as { error?: { code: string } };
        return { status: response.status, code: body.error?.code };
      }),
    );
  };

  it('one session gets 20 tests in ten minutes, however many it sends at once', async () => {
    const token = await app.session('limits-a');
    const answers = await burst(Array.from({ length: 26 }, () => token), ['imap.limits.test']);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(20);
    expect(answers.filter((answer) => answer.status === 429).every((answer) => answer.code === 'RATE_LIMITED')).toBe(true);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(6);
  });

  it('fresh sessions do not get around the per-host limit (30 a minute for one mail server)', async () => {
    // 40 sessions, one test each (well inside each session's own 20), half of them through a second
    // name of the same server: the server's address gets its 30, whatever the name or the session.
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => app.session(`limits-b${i}`)));
    const answers = await burst(tokens, ['imap.other-limits.test', 'mail.other-limits.test']);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(30);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(10);
    expect(answers.filter((answer) => answer.status === 429).every((answer) => answer.code === 'RATE_LIMITED')).toBe(true);
  });
});

/**
 * Foundation figures: start-to-healthy time, and `/health` and `GET /settings` throughput under
 * load from a second process, each as a ratio to a bare Hono route measured in the same run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../index.js';
import { loadTest, type LoadResult } from '../lib/load.js';
import { startBareHono, startServerProcess } from '../lib/processes.js';
import { median, repeat } from '../lib/stats.js';

const STARTS = 5;
const LOAD_RUNS = 3;
const LOAD_SECONDS = 3;
const CONNECTIONS = 20;
const API_KEY = 'bench-host-key';

function freshEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    EMAIL_WIZARD_DB: join(mkdtempSync(join(tmpdir(), 'ecw-bench-')), 'bench.sqlite'),
    EMAIL_WIZARD_API_KEYS: API_KEY,
    EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
    EMAIL_WIZARD_ENCRYPTION_KEYS: `b1:${randomBytes(32).toString('base64')}`,
    DATABASE_URL: '',
    ...extra,
  };
}

const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} req/s`;

export default async function foundation(): Promise<BenchRow[]> {
  const starts = await repeat(STARTS, async () => {
    const server = await startServerProcess({ env: freshEnv() });
    const initMs = Number(/"startupMs":(\d+)/.exec(server.stdout())?.[1] ?? NaN);
    await server.stop();
    return { total: server.startToHealthyMs, initMs };
  });

  const bundledStarts = await repeat(STARTS, async () => {
    const server = await startServerProcess({ via: 'bundle', env: freshEnv() });
    await server.stop();
    return server.startToHealthyMs;
  });

  // LOG_LEVEL=warn: one JSON line per request would measure the pipe to this process, not the server.
  const server = await startServerProcess({ env: freshEnv({ LOG_LEVEL: 'warn' }) });
  const bare = await startBareHono();
  try {
    const hostHeaders = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };
    const minted = await fetch(`${server.apiUrl}/sessions`, { method: 'POST', headers: hostHeaders, body: JSON.stringify({ accountId: 'bench' }) });
    const { token } = (await minted.json()) as { token: string };
    const saved = await fetch(`${server.apiUrl}/settings`, {
      method: 'PUT',
      headers: { ...hostHeaders, Authorization: `Bearer ${token}` },
      body: JSON.stringify({
        email: 'support@bench.test',
        imap: { host: 'imap.bench.test', port: 993, security: 'tls', username: 'support@bench.test' },
        smtp: { host: 'smtp.bench.test', port: 465, security: 'tls', username: 'support@bench.test' },
        auth: { method: 'password', password: 'bench-password' },
      }),
    });
    if (saved.status !== 200) throw new Error(`saving settings for the bench failed: ${saved.status}`);

    const results: Record<'bare' | 'health' | 'settings', LoadResult[]> = { bare: [], health: [], settings: [] };
    const options = { durationSeconds: LOAD_SECONDS, connections: CONNECTIONS };
    // Interleaved, so drift on a shared machine touches all three alike.
    for (let run = 0; run < LOAD_RUNS; run += 1) {
      results.bare.push(await loadTest(`${bare.url}/health`, options));
      results.health.push(await loadTest(`${server.apiUrl}/health`, options));
      results.settings.push(await loadTest(`${server.apiUrl}/settings`, { ...options, headers: { Authorization: `Bearer ${token}` } }));
    }
    const failures = Object.entries(results).flatMap(([name, runs]) => (runs.some((r) => r.failures > 0) ? [name] : []));
    if (failures.length > 0) throw new Error(`non-2xx answers or errors under load for: ${failures.join(', ')}`);

    const rps = (name: keyof typeof results) => median(results[name].map((r) => r.requestsPerSecond));
    const p99 = (name: keyof typeof results) => median(results[name].map((r) => r.latencyP99Ms));
    const load = `median of ${LOAD_RUNS} × ${LOAD_SECONDS} s, ${CONNECTIONS} connections, autocannon in its own process`;
    return [
      { name: 'start to healthy (spawn → /health 200)', value: `${Math.round(median(starts.map((s) => s.total)))} ms`, note: `median of ${STARTS}; includes Node and tsx start-up` },
      { name: 'start to healthy, bundled (scripts/start.mjs)', value: `${Math.round(median(bundledStarts))} ms`, note: `median of ${STARTS}; esbuild bundle run by plain Node; rebuilt only when a source changed` },
      { name: 'server init (main() → listening)', value: `${Math.round(median(starts.map((s) => s.initMs)))} ms`, note: 'config, SQLite + schema, app; from its own log' },
      { name: 'bare Hono GET /health', value: rate(rps('bare')), note: `yardstick; p99 ${p99('bare')} ms; ${load}` },
      { name: 'GET /health', value: rate(rps('health')), note: `${(rps('health') / rps('bare')).toFixed(2)} × bare Hono; p99 ${p99('health')} ms; runs SELECT 1` },
      { name: 'GET /settings (session token, SQLite)', value: rate(rps('settings')), note: `${(rps('settings') / rps('bare')).toFixed(2)} × bare Hono; p99 ${p99('settings')} ms` },
    ];
  } finally {
    bare.stop();
    await server.stop();
  }
}

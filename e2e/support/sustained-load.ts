import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTest, type LoadResult } from '../../bench/lib/load.js';
import { startServerProcess, type ServerProcess } from '../../server/testing/server-process.js';

export interface SustainedLoadResult {
  detect: LoadResult;
  settings: LoadResult;
  /** Resident memory of the server process (MB): after warm-up, highest in the first and the last third of the run. */
  rss: { afterWarmUpMb: number; firstThirdPeakMb: number; lastThirdPeakMb: number; samples: number };
  /** Every memory reading: milliseconds since the load began, and MB. */
  samples: Array<{ at: number; mb: number }>;
}

const API_KEY = 'load-host-key-0123456789';
const MB = 1024 * 1024;

/** Resident set size of a process, from /proc (Linux). */
export function residentMemoryMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return (kb * 1024) / MB;
}

/**
 * Starts the real server (child process, SQLite, logs at warn) and loads `POST /detect` (a
 * built-in provider: no network) and `GET /settings` at the same time from two autocannon
 * processes for `seconds`, sampling the server's resident memory four times a second.
 * `heapLimitMb` caps V8's old space: under a high allocation rate V8 grows its heap lazily
 * (about 170 → 330 MB in 60 s of `/detect` here, all of it collectable), so a flat RSS under a
 * small cap — no crash, no errors — is what proves nothing is retained.
 *
 * @example
 * const { detect, settings, rss } = await runSustainedLoad({ seconds: 60 });
 */
export async function runSustainedLoad(options: { seconds: number; connections?: number; heapLimitMb?: number }): Promise<SustainedLoadResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ecw-load-'));
  let server: ServerProcess | undefined;
  try {
    const heapLimit = options.heapLimitMb ? { NODE_OPTIONS: `--max-old-space-size=${options.heapLimitMb}` } : {};
    server = await startServerProcess({ env: { EMAIL_WIZARD_DB: join(dataDir, 'load.sqlite'), EMAIL_WIZARD_API_KEYS: API_KEY, LOG_LEVEL: 'warn', DATABASE_URL: '', ...heapLimit } });
    const token = await prepareAccount(server);
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const connections = options.connections ?? 10;
    const detect = { ...{ headers, method: 'POST', body: JSON.stringify({ email: 'support@gmail.com' }) }, connections };
    // Warm-up: JIT, caches, SQLite pages; memory is judged from here on.
    await Promise.all([loadTest(`${server.apiUrl}/detect`, { ...detect, durationSeconds: 1 }), loadTest(`${server.apiUrl}/settings`, { headers, connections, durationSeconds: 1 })]);
    const afterWarmUpMb = residentMemoryMb(server.pid);
    const samples: Array<{ at: number; mb: number }> = [];
    const started = Date.now();
    const pid = server.pid;
    const sampler = setInterval(() => samples.push({ at: Date.now() - started, mb: residentMemoryMb(pid) }), 250);
    const [detectResult, settingsResult] = await Promise.all([
      loadTest(`${server.apiUrl}/detect`, { ...detect, durationSeconds: options.seconds }),
      loadTest(`${server.apiUrl}/settings`, { headers, connections, durationSeconds: options.seconds }),
    ]).finally(() => clearInterval(sampler));
    const span = Math.max(...samples.map((sample) => sample.at), 1);
    const peak = (from: number, to: number) => Math.max(0, ...samples.filter((sample) => sample.at >= from * span && sample.at <= to * span).map((sample) => sample.mb));
    return {
      detect: detectResult,
      settings: settingsResult,
      rss: { afterWarmUpMb: afterWarmUpMb, firstThirdPeakMb: peak(0, 1 / 3), lastThirdPeakMb: peak(2 / 3, 1), samples: samples.length },
      samples,
    };
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A session for one account with saved settings, so `GET /settings` answers 200. */
async function prepareAccount(server: ServerProcess): Promise<string> {
  const minted = await fetch(`${server.apiUrl}/sessions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ accountId: 'load', ttlSeconds: 3600 }),
    signal: AbortSignal.timeout(5000),
  });
  const { token } = (await minted.json()) as { token: string };
  const saved = await fetch(`${server.apiUrl}/settings`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: 'support@load.test',
      imap: { host: 'imap.load.test', port: 993, security: 'tls', username: 'support@load.test' },
      smtp: { host: 'smtp.load.test', port: 465, security: 'tls', username: 'support@load.test' },
      auth: { method: 'password', password: 'load-password' },
    }),
    signal: AbortSignal.timeout(5000),
  });
  if (saved.status !== 200) throw new Error(`Saving the load account's settings failed: ${saved.status} ${await saved.text()}`);
  return token;
}

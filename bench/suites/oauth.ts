/**
 * OAuth figures, against a server process and the loopback OAuth test server in this process:
 * a whole sign-in (start → consent → callback), a burst of credential requests on a fresh
 * token, and the same burst on an expired token (one refresh shared by all, across the burst).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../index.js';
import { startServerProcess } from '../../server/testing/server-process.js';
import { startOAuthTestServer } from '../../server/testing/oauth-server.js';
import { openDatabase } from '../../server/store/connect.js';

const API_KEY = 'bench-host-key';
const SIGN_INS = 20;
const BURSTS = 5;
const BURST_SIZE = 100;

export default async function oauthBench(): Promise<BenchRow[]> {
  const oauth = await startOAuthTestServer();
  const dbFile = join(mkdtempSync(join(tmpdir(), 'ecw-bench-oauth-')), 'bench.sqlite');
  const server = await startServerProcess({
    env: {
      ...oauth.env(),
      EMAIL_WIZARD_DB: dbFile,
      DATABASE_URL: '',
      EMAIL_WIZARD_API_KEYS: API_KEY,
      EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
      EMAIL_WIZARD_ENCRYPTION_KEYS: `b1:${randomBytes(32).toString('base64')}`,
      EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
      EMAIL_WIZARD_PUBLIC_URL: 'http://localhost',
      LOG_LEVEL: 'warn',
    },
  });
  // A second connection to the server's SQLite file, only to expire tokens between bursts.
  const database = await openDatabase({ sqliteFile: dbFile });
  const api = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) =>
    fetch(`${server.apiUrl}${path}`, {
      ...init,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${init.token ?? API_KEY}` },
      body: init.json === undefined ? init.body : JSON.stringify(init.json),
      signal: AbortSignal.timeout(30_000),
    });
  try {
    const { token } = (await (await api('/sessions', { method: 'POST', json: { accountId: 'bench-oauth' } })).json()) as { token: string };
    oauth.setConsent({ email: 'bench@example.com' });
    const signIn = async () => {
      const started = performance.now();
      const { authorizationUrl } = (await (await api('/oauth/microsoft', { method: 'POST', token, json: {} })).json()) as { authorizationUrl: string };
      const step = await oauth.authorize(authorizationUrl);
      const callback = new URL(step.url);
      const response = await fetch(`${server.url}${callback.pathname}`, {
        method: 'POST',
        body: step.form!.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`);
      return performance.now() - started;
    };
    const signIns = await repeat(SIGN_INS, signIn);
    const saved = await api('/settings', {
      method: 'PUT',
      token,
      json: {
        email: 'bench@example.com',
        imap: { host: 'outlook.office365.com', port: 993, security: 'tls', username: 'bench@example.com' },
        smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls', username: 'bench@example.com' },
        auth: { method: 'oauth', provider: 'microsoft' },
      },
    });
    if (saved.status !== 200) throw new Error(`saving settings failed: ${saved.status}`);

    const burst = async () => {
      const started = performance.now();
      const responses = await Promise.all(Array.from({ length: BURST_SIZE }, () => api('/accounts/bench-oauth/credentials', { method: 'POST' })));
      if (responses.some((r) => r.status !== 200)) throw new Error('a credentials request failed');
      await Promise.all(responses.map((r) => r.arrayBuffer()));
      return performance.now() - started;
    };
    const healthBurst = async () => {
      const started = performance.now();
      await Promise.all(Array.from({ length: BURST_SIZE }, () => api('/health').then((r) => r.arrayBuffer())));
      return performance.now() - started;
    };
    // Interleaved with the credentials bursts so a busy machine weighs on both alike.
    const health: number[] = [];
    const fresh = await repeat(BURSTS, async () => {
      health.push(await healthBurst());
      return burst();
    });
    const refreshes: number[] = [];
    const expired = await repeat(BURSTS, async () => {
      await database.db.updateTable('oauth_credentials').set({ access_expires_at: Date.now() - 1000 }).execute();
      const before = oauth.tokenRequests.length;
      const ms = await burst();
      refreshes.push(oauth.tokenRequests.length - before);
      return ms;
    });
    const ms = (value: number) => `${Math.round(value)} ms`;
    return [
      { name: 'OAuth sign-in (start → consent → form_post callback)', value: ms(median(signIns)), note: `median of ${SIGN_INS}; loopback provider; includes code exchange and encrypted save` },
      { name: `${BURST_SIZE} concurrent GET /health (yardstick)`, value: ms(median(health)), note: `median of ${BURSTS} bursts, wall time` },
      {
        name: `${BURST_SIZE} concurrent credential requests, fresh token`,
        value: ms(median(fresh)),
        note: `${(median(fresh) / median(health)).toFixed(2)} × the /health burst; median of ${BURSTS}`,
      },
      {
        name: `${BURST_SIZE} concurrent credential requests, expired token`,
        value: ms(median(expired)),
        note: `median of ${BURSTS}; token requests per burst: ${[...new Set(refreshes)].join('/')} (target 1)`,
      },
    ];
  } finally {
    await database.close();
    await server.stop();
    await oauth.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function repeat<T>(times: number, measure: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < times; run += 1) results.push(await measure());
  return results;
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequestInit } from '../testing/app.js';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server.js';
import { INSTANCES_API_KEY, startSharedInstances, type SharedInstances } from '../testing/instances.js';
import { stopSharedTestPostgres } from '../testing/postgres.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { startWebhookReceiver, verifyStandardWebhook, type ReceivedWebhook, type WebhookReceiver } from '../testing/webhook-receiver.js';

/** Account events survive a kill -9 of the server and are sent by one instance of several. Real server processes. */

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const API_KEY = 'durability-host-key';

let receiver: WebhookReceiver;
let dns: TestDnsServer;
beforeAll(async () => {
  [receiver, dns] = await Promise.all([startWebhookReceiver(), startDnsServer({ '*.acme.test': { A: ['127.0.0.1'] } })]);
});
afterAll(async () => {
  await Promise.all([receiver?.close(), dns?.close()]);
  await stopSharedTestPostgres();
});

const call = (base: string, path: string, token: string, init: { method?: string; json?: unknown } = {}) =>
  fetch(`${base}${path}`, { ...apiRequestInit({ ...init, token }), signal: AbortSignal.timeout(20_000) });

/** Mints a session on `base` and saves settings for the account: one `account.updated` event. */
async function saveSettings(base: string, apiKey: string, accountId: string): Promise<void> {
  const minted = await call(base, '/sessions', apiKey, { method: 'POST', json: { accountId } });
  expect(minted.status).toBe(201);
  const { token } = (await minted.json()) as { token: string };
  const saved = await call(base, '/settings', token, {
    method: 'PUT',
    json: {
      email: `${accountId}@acme.test`,
      imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: `${accountId}@acme.test` },
      smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: `${accountId}@acme.test` },
      auth: { method: 'password', password: 'durable-password' },
    },
  });
  expect(saved.status).toBe(200);
}

const idOf = (request: ReceivedWebhook) => request.headers['webhook-id']!;
const accountOf = (request: ReceivedWebhook) => (JSON.parse(request.body) as { data: { accountId: string } }).data.accountId;
const webhookEnv = (delays: string) => ({
  EMAIL_WIZARD_WEBHOOK_URL: receiver.url,
  EMAIL_WIZARD_WEBHOOK_SECRET: SECRET,
  EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS: delays,
  EMAIL_WIZARD_DNS_SERVERS: dns.address,
  EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
});

describe('a kill -9 while events are pending', () => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('loses none: after a restart each is delivered, with the webhook-id of its earlier attempts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecw-events-kill-'));
    const env = {
      ...webhookEnv('2'),
      EMAIL_WIZARD_DB: join(dir, 'wizard.sqlite'),
      EMAIL_WIZARD_API_KEYS: API_KEY,
      EMAIL_WIZARD_SESSION_SECRET: randomBytes(32).toString('hex'),
      EMAIL_WIZARD_ENCRYPTION_KEYS: `d1:${randomBytes(32).toString('base64')}`,
      LOG_LEVEL: 'warn',
    };
    const accounts = ['kill-a', 'kill-b', 'kill-c'];
    receiver.requests.length = 0;
    receiver.answer(500);
    server = await startServerProcess({ env });
    for (const accountId of accounts) await saveSettings(server.apiUrl, API_KEY, accountId);
    const attempted = await receiver.waitFor((requests) => accounts.every((a) => requests.some((r) => accountOf(r) === a)));
    const ids = new Map(attempted.map((request) => [accountOf(request), idOf(request)]));
    // Let the 500 answers be read, so that no attempt is in flight; the retries are 2 s away.
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(-server.pid, 'SIGKILL');
    await server.stop();
    expect(server.stdout()).toMatch(/webhook delivery failed/);

    receiver.answer(204);
    server = await startServerProcess({ env });
    const all = await receiver.waitFor((requests) => accounts.every((a) => requests.some((r) => accountOf(r) === a && r.answer === 204)));
    const delivered = all.filter((request) => request.answer === 204);
    expect(new Map(delivered.map((request) => [accountOf(request), idOf(request)]))).toEqual(ids);
    expect(delivered.every((request) => verifyStandardWebhook(SECRET, request))).toBe(true);

    for (const accountId of accounts) {
      const listed = (await (await call(server.apiUrl, `/accounts/${accountId}/events`, API_KEY)).json()) as {
        events: Array<{ id: string; delivery: { state: string; attempts: number } }>;
      };
      expect(listed.events).toHaveLength(1);
      expect(listed.events[0]).toMatchObject({ id: ids.get(accountId), delivery: { state: 'delivered' } });
      expect(listed.events[0]!.delivery.attempts).toBeGreaterThanOrEqual(2);
    }
  }, 180_000); // two server starts, each up to 30 s on a loaded machine
});

describe('two server processes on one PostgreSQL', () => {
  let instances: SharedInstances;
  beforeAll(async () => {
    instances = await startSharedInstances({ count: 2, env: webhookEnv('0.3') });
  }, 120_000);
  afterAll(async () => {
    await instances?.stop();
  });

  it('send each event once (its retry too): one failed attempt and one delivery per event', async () => {
    receiver.requests.length = 0;
    const seen = new Set<string>();
    // The first attempt of every event fails; the retry, by whichever instance, succeeds.
    receiver.answer((request) => {
      const id = idOf(request);
      if (seen.has(id)) return 204;
      seen.add(id);
      return 500;
    });
    const [a, b] = instances.servers.map((server) => server.apiUrl) as [string, string];
    const accounts = Array.from({ length: 16 }, (_, i) => `pair-${i}`);
    await Promise.all(accounts.map((accountId, i) => saveSettings(i % 2 ? a : b, INSTANCES_API_KEY, accountId)));
    await receiver.waitFor((requests) => requests.filter((r) => r.answer === 204).length >= accounts.length);
    // Both instances poll every second: give a duplicate two rounds to show up.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const perId = new Map<string, number>();
    for (const request of receiver.requests) perId.set(idOf(request), (perId.get(idOf(request)) ?? 0) + 1);
    expect(perId.size).toBe(accounts.length);
    expect([...perId.values()].every((count) => count === 2)).toBe(true);
    expect(new Set(receiver.requests.map(accountOf))).toEqual(new Set(accounts));
    expect(receiver.requests.every((request) => verifyStandardWebhook(SECRET, request))).toBe(true);
  }, 90_000);
});

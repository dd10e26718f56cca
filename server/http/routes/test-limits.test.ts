import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.js';
import { startDnsServer, type TestDnsServer } from '../../testing/dns-server.js';
import { findClosedPort } from '../../testing/listeners.js';
import type { MailTestLimits } from '../../mail/index.js';
import { rebuildMailTests } from '../../testing/mail-tests.js';

/**
 * The attacks on the connection test's limits: many spellings of one address and many names of
 * one wildcard must share one per-target budget, and refused requests must not grow the database.
 * Targets are 127.0.0.1 on a closed port (private networks allowed here), so every allowed test
 * ends at once with CONNECTION_REFUSED.
 */

/** Every way the C library (and our parser) reads 127.0.0.1. */
const SPELLINGS_OF_LOOPBACK = [
  '127.0.0.1', '127.1', '127.0.1', '2130706433', '0x7f000001', '0x7F000001', '0x7f.1', '0x7f.0.0.1', '0x7f.0x0.0x0.0x1',
  '0177.0.0.1', '0177.1', '00177.0.0.01', '0177.0000.0000.0001', '017700000001', '127.000.000.001', '127.0.0.01',
  '::ffff:127.0.0.1', '::ffff:7f00:1', '[::ffff:127.0.0.1]', '::FFFF:127.0.0.1', '0:0:0:0:0:ffff:7f00:1',
  '0000:0000:0000:0000:0000:ffff:127.0.0.1', '127.0.0.1.', '2130706433.',
];

let dns: TestDnsServer;
let closedPort: number;
const apps: TestApp[] = [];

async function appWith(limits: Partial<MailTestLimits>): Promise<TestApp> {
  const app = await createTestApp({ EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true', EMAIL_WIZARD_DNS_SERVERS: dns.address });
  rebuildMailTests(app, { limits: { phaseTimeoutMs: 2000, timeoutMs: 5000, ...limits } });
  apps.push(app);
  return app;
}

const body = (host: string) => ({ imap: { host, port: closedPort, security: 'tls', username: 'u@x.test' }, auth: { method: 'password', password: 'p' } });

async function status(app: TestApp, token: string, host: string): Promise<number> {
  return (await app.request('/test', { method: 'POST', token, json: body(host) })).status;
}

beforeAll(async () => {
  dns = await startDnsServer({ '*.wild.test': { A: ['127.0.0.1'] } });
  closedPort = await findClosedPort();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await dns?.close();
});

describe('the per-target limit of POST /test counts the address, not the spelling', () => {
  it('24 spellings of one IPv4 address share one budget', async () => {
    expect(new Set(SPELLINGS_OF_LOOPBACK).size).toBe(24);
    const app = await appWith({ perHost: { limit: 3, windowMs: 60_000 }, perSession: { limit: 1000, windowMs: 60_000 } });
    const token = await app.session('acct-spellings');
    const statuses = [];
    for (const host of SPELLINGS_OF_LOOPBACK) statuses.push(await status(app, token, host));
    expect(statuses.filter((code) => code === 200)).toHaveLength(3);
    expect(statuses.filter((code) => code === 429)).toHaveLength(21);
  });

  it('ten names under one wildcard share one budget, across sessions', async () => {
    const app = await appWith({ perHost: { limit: 3, windowMs: 60_000 }, perSession: { limit: 1000, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 10; i += 1) statuses.push(await status(app, await app.session(`acct-wild-${i}`), `n${i}.wild.test`));
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
  });
});

describe('refused requests do not grow the database', () => {
  it('1,000 refused tests with 1,000 different hosts add no row to rate_limits', async () => {
    const app = await appWith({ perSession: { limit: 2, windowMs: 60_000 } });
    const { db } = app.services.database;
    const token = await app.session('acct-flood');
    expect(await status(app, token, 'a0.wild.test')).toBe(200);
    expect(await status(app, token, 'a1.wild.test')).toBe(200);
    const rows = async () => Number((await db.selectFrom('rate_limits').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await rows();
    for (let i = 0; i < 1000; i += 1) {
      const hosts = [`flood-${i}.wild.test`, `${i % 256}.${(i >> 8) % 256}.0.127`];
      expect(await status(app, token, hosts[i % 2]!)).toBe(429);
    }
    expect(await rows()).toBe(before);
  }, 120_000);
});

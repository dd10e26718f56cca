import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCES_API_KEY, startSharedInstances, type SharedInstances } from '../testing/instances.js';
import { stopSharedTestPostgres } from '../testing/postgres.js';
import { LOOKED_UP_ONLY_IMAP_ADDRESS, LOOKED_UP_ONLY_SMTP_ADDRESS, startDnsServer, type TestDnsServer } from '../testing/dns-server.js';
import { openDatabase } from './connect.js';

/** Two real server processes sharing one PostgreSQL database, as behind a load balancer. */
describe('two instances on one PostgreSQL', () => {
  let instances: SharedInstances;
  let a: string;
  let b: string;
  let dns: TestDnsServer;

  const call = (base: string, path: string, token: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
      signal: AbortSignal.timeout(20_000),
    });
  const settings = (fromName: string) => ({
    email: 'support@acme.test',
    imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
    smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'support@acme.test' },
    auth: { method: 'password', password: 'shared-secret' },
    fromName,
  });

  beforeAll(async () => {
    // The credentials call checks the saved names again (a dead DNS would be 503 HOST_CHECK_UNAVAILABLE):
    // they resolve to public addresses that are only looked up — nothing in this file connects to a mail server.
    dns = await startDnsServer({ 'imap.acme.test': { A: [LOOKED_UP_ONLY_IMAP_ADDRESS] }, 'smtp.acme.test': { A: [LOOKED_UP_ONLY_SMTP_ADDRESS] } });
    instances = await startSharedInstances({ count: 2, env: { EMAIL_WIZARD_DNS_SERVERS: dns.address } });
    [a, b] = instances.servers.map((server) => server.apiUrl) as [string, string];
  });
  afterAll(async () => {
    await instances?.stop();
    await stopSharedTestPostgres();
    await dns?.close();
  });

  it('both are healthy on the same database', async () => {
    for (const base of [a, b]) {
      expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok', database: 'ok' });
    }
  });

  it('a session minted on one instance works on the other, and settings saved on one are read on the other', async () => {
    const minted = await call(a, '/sessions', INSTANCES_API_KEY, { method: 'POST', json: { accountId: 'acme' } });
    expect(minted.status).toBe(201);
    const { token } = (await minted.json()) as { token: string };

    expect((await call(b, '/settings', token, { method: 'PUT', json: settings('Saved on B') })).status).toBe(200);
    const read = await call(a, '/settings', token);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ accountId: 'acme', fromName: 'Saved on B', auth: { hasPassword: true } });

    const credentials = (await (await call(a, '/accounts/acme/credentials', INSTANCES_API_KEY, { method: 'POST' })).json()) as any;
    expect(credentials.imap).toMatchObject({ host: LOOKED_UP_ONLY_IMAP_ADDRESS, servername: 'imap.acme.test' });
    expect(credentials.imap.auth.pass).toBe('shared-secret'); // encrypted by B, decrypted by A
  });

  it('concurrent first saves of one account, spread over both, all succeed and leave one row', async () => {
    const { token } = (await (await call(b, '/sessions', INSTANCES_API_KEY, { method: 'POST', json: { accountId: 'race' } })).json()) as { token: string };
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(i % 2 ? a : b, '/settings', token, { method: 'PUT', json: settings(`writer ${i}`) }).then((r) => r.status)),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    const database = await openDatabase({ databaseUrl: instances.databaseUrl });
    try {
      expect(await database.db.selectFrom('email_settings').select('account_id').where('account_id', '=', 'race').execute()).toHaveLength(1);
    } finally {
      await database.close();
    }
  });

  it('a delete on one instance is seen at once by the other', async () => {
    expect((await call(b, '/accounts/acme', INSTANCES_API_KEY, { method: 'DELETE' })).status).toBe(200);
    const read = await call(a, '/accounts/acme/settings', INSTANCES_API_KEY);
    expect(read.status).toBe(404);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const codes = await Promise.all(instances.servers.map((server) => server.stop()));
    expect(codes).toEqual([0, 0]);
  });
});

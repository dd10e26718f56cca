import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountEventBody } from '../contract/events.js';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { MAIL_TEST_HOSTS, startMailServers, type TestMailServers } from '../testing/mail-servers.js';
import { useTestCa } from '../testing/mail-tests.js';
import { OAUTH_TEST_ENV, hostCredentials, signIn } from '../testing/oauth-journeys.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../testing/webhook-receiver.js';

/** Account events from the actions that cause them, end to end: real mail servers, a real OAuth server, a real receiver. */

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const USER = 'alice@mail.test';
/** The mailbox password: searched for in every body the receiver gets. */
const CANARY = `canary-${randomBytes(9).toString('base64url')}`;

let mail: TestMailServers;
let oauth: OAuthTestServer;
let receiver: WebhookReceiver;
let app: TestApp;

beforeAll(async () => {
  [mail, oauth, receiver] = await Promise.all([
    startMailServers({ dovecot: { users: [{ username: USER, password: CANARY }] }, smtp: { users: [{ username: USER, password: CANARY }] } }),
    startOAuthTestServer(),
    startWebhookReceiver(),
  ]);
  app = await createTestApp({
    ...mail.env,
    ...oauth.env(),
    ...OAUTH_TEST_ENV,
    EMAIL_WIZARD_DNS_SERVERS: mail.dns.address,
    EMAIL_WIZARD_WEBHOOK_URL: receiver.url,
    EMAIL_WIZARD_WEBHOOK_SECRET: SECRET,
    EMAIL_WIZARD_WEBHOOK_RETRY_DELAYS: '0.1,0.2',
  });
  useTestCa(app, mail.ca.cert, { phaseTimeoutMs: 5000, timeoutMs: 15_000 });
});
afterAll(async () => {
  await app?.close();
  await Promise.all([mail?.stop(), oauth?.close(), receiver?.close()]);
});
beforeEach(() => {
  receiver.answer(204);
});

const imap = () => ({ host: MAIL_TEST_HOSTS.imap, port: mail.dovecot.imapsPort, security: 'tls' as const, username: USER });
const smtp = () => ({ host: MAIL_TEST_HOSTS.smtp, port: mail.smtp.port, security: 'starttls' as const, username: USER });

/** The events the receiver got for one account, in arrival order. */
const received = (accountId: string) =>
  receiver.requests.filter((request) => (JSON.parse(request.body) as AccountEventBody).data.accountId === accountId);
const typesFor = (accountId: string) => received(accountId).map((request) => (JSON.parse(request.body) as AccountEventBody).type);
/** Waits until the account's events include `types` (in any order, each at least once). */
async function eventsOf(accountId: string, ...types: AccountEventBody['type'][]): Promise<AccountEventBody[]> {
  await receiver.waitFor(() => types.every((type) => typesFor(accountId).includes(type)));
  return received(accountId).map((request) => JSON.parse(request.body) as AccountEventBody);
}
const lastOf = (events: AccountEventBody[], type: string) => events.filter((event) => event.type === type).at(-1)!;

async function saveSettings(accountId: string, password: string): Promise<Response> {
  const token = await app.session(accountId);
  return app.request('/settings', { method: 'PUT', token, json: { email: USER, imap: imap(), smtp: smtp(), auth: { method: 'password', password } } });
}
async function runTest(accountId: string): Promise<{ ok: boolean }> {
  const token = await app.session(accountId);
  const response = await app.request('/test', { method: 'POST', token, json: {} });
  expect(response.status).toBe(200);
  return (await response.json()) as { ok: boolean };
}

describe('account events from real actions', () => {
  it('saving settings is account.updated; a passing test of them is account.connected', async () => {
    const accountId = 'acct-connect';
    expect((await saveSettings(accountId, CANARY)).status).toBe(200);
    expect((await runTest(accountId)).ok).toBe(true);
    const events = await eventsOf(accountId, 'account.updated', 'account.connected');
    expect(lastOf(events, 'account.updated').data).toMatchObject({ accountId, email: USER, status: 'untested', previousStatus: null, cause: 'settings.saved', authMethod: 'password' });
    const connected = lastOf(events, 'account.connected');
    expect(connected.data).toMatchObject({
      accountId,
      status: 'connected',
      previousStatus: 'untested',
      cause: 'test.recorded',
      imap: { host: MAIL_TEST_HOSTS.imap },
      lastTest: { ok: true, imap: { ok: true }, smtp: { ok: true } },
    });
    expect(Date.parse(connected.timestamp)).not.toBeNaN();
    expect(connected.timestamp).toBe(new Date(connected.timestamp).toISOString());
  });

  it('a test that fails after a password change is account.failing, naming the protocol, the code and when', async () => {
    const accountId = 'acct-failing';
    await saveSettings(accountId, CANARY);
    await runTest(accountId);
    await eventsOf(accountId, 'account.connected');
    expect((await saveSettings(accountId, 'the-wrong-password')).status).toBe(200);
    expect((await runTest(accountId)).ok).toBe(false);
    const events = await eventsOf(accountId, 'account.failing');
    const updated = events.filter((event) => event.type === 'account.updated').at(-1)!;
    expect(updated.data.changed).toEqual(['auth.password']);
    const failing = lastOf(events, 'account.failing');
    expect(failing.data).toMatchObject({ status: 'failing', cause: 'test.recorded' });
    expect(failing.data.failures).toEqual(
      expect.arrayContaining([expect.objectContaining({ protocol: 'imap', host: MAIL_TEST_HOSTS.imap, code: 'AUTH_FAILED', at: expect.any(String) })]),
    );
  });

  it('another failing test of an account already failing sends nothing new', async () => {
    const accountId = 'acct-failing';
    const before = typesFor(accountId).length;
    await runTest(accountId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(typesFor(accountId).length).toBe(before);
  });

  it('a refresh that ends in invalid_grant is account.needs_reauth (token service)', async () => {
    const accountId = 'acct-reauth';
    const email = `${accountId}@example.com`;
    const journey = await signIn(app, oauth, { accountId, provider: 'google' });
    expect(journey.callback.status).toBe(200);
    const saved = await app.request('/settings', {
      method: 'PUT',
      token: journey.token,
      json: {
        email,
        imap: { host: 'imap.gmail.com', port: 993, security: 'tls', username: email },
        smtp: { host: 'smtp.gmail.com', port: 587, security: 'starttls', username: email },
        auth: { method: 'oauth', provider: 'google' },
      },
    });
    expect(saved.status).toBe(200);
    const { id: credentialId } = await app.services.database.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', accountId).executeTakeFirstOrThrow();
    oauth.revokeGrants(`${accountId}@example.com`);
    await app.services.database.db.updateTable('oauth_credentials').set({ access_expires_at: Date.now() - 1000 }).where('id', '=', credentialId).execute();
    expect((await hostCredentials(app, accountId)).status).toBe(409);
    const events = await eventsOf(accountId, 'account.needs_reauth');
    const reauth = lastOf(events, 'account.needs_reauth');
    expect(reauth.data).toMatchObject({ accountId, status: 'needs_reauth', cause: 'oauth.reauth_required', authMethod: 'oauth', provider: 'google' });
    expect(reauth.data.reauthorization).toMatchObject({ provider: 'google', account: `${accountId}@example.com`, reason: expect.stringMatching(/invalid_grant/) });

    // Nothing of the grant travels: neither token appears in any body.
    const row = await app.services.database.db.selectFrom('oauth_credentials').selectAll().where('id', '=', credentialId).executeTakeFirstOrThrow();
    const bodies = received(accountId).map((request) => request.body).join('\n');
    for (const secret of [app.services.oauth.credentials.accessToken(row), app.services.oauth.credentials.refreshToken(row)]) {
      if (secret) expect(bodies).not.toContain(secret);
    }

    // Signing in again clears it: the status leaves needs_reauth (untested here: no test ran yet).
    expect((await signIn(app, oauth, { accountId, provider: 'google' })).callback.status).toBe(200);
    await receiver.waitFor(() => received(accountId).some((request) => JSON.parse(request.body).data.cause === 'oauth.connected'));
    const reconnected = received(accountId).map((request) => JSON.parse(request.body) as AccountEventBody).find((event) => event.data.cause === 'oauth.connected')!;
    expect(reconnected).toMatchObject({ type: 'account.updated', data: { status: 'untested', previousStatus: 'needs_reauth' } });
  });

  it('DELETE /accounts/:id is account.disconnected', async () => {
    const accountId = 'acct-connect';
    const response = await app.request(`/accounts/${accountId}`, { method: 'DELETE', token: TEST_API_KEY });
    expect(response.status).toBe(200);
    const disconnected = lastOf(await eventsOf(accountId, 'account.disconnected'), 'account.disconnected');
    expect(disconnected.data).toMatchObject({ accountId, email: USER, status: 'disconnected', previousStatus: 'connected', cause: 'account.deleted' });
  });

  it('every request is signed (verified with node:crypto), unique per event, and no body holds a secret', async () => {
    expect(receiver.requests.length).toBeGreaterThanOrEqual(8);
    for (const request of receiver.requests) {
      expect(verifyStandardWebhook(SECRET, request)).toBe(true);
      expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    }
    const everything = receiver.requests.map((request) => JSON.stringify(request.headers) + request.body).join('\n');
    for (const secret of [CANARY, SECRET, SECRET.slice('whsec_'.length), TEST_API_KEY]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/_enc"|password"\s*:/);
    expect(app.logLines.join('\n')).not.toContain(CANARY);
  });

  it('GET /accounts/:id/events lists the events newest first with their delivery state (host API key only)', async () => {
    const accountId = 'acct-failing';
    expect((await app.request(`/accounts/${accountId}/events`)).status).toBe(401);
    expect((await app.request(`/accounts/${accountId}/events`, { token: await app.session(accountId) })).status).toBe(401);
    expect((await app.request(`/accounts/${accountId}/events?limit=0`, { token: TEST_API_KEY })).status).toBe(400);
    const response = await app.request(`/accounts/${accountId}/events`, { token: TEST_API_KEY });
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: Array<{ id: string; type: string; timestamp: string; delivery: Record<string, unknown> }> };
    expect(events.map((event) => event.id).sort()).toEqual(received(accountId).map((request) => request.headers['webhook-id']).sort());
    expect(events[0]!.type).toBe('account.failing');
    expect([...events].sort((a, b) => b.timestamp.localeCompare(a.timestamp)).map((e) => e.timestamp)).toEqual(events.map((e) => e.timestamp));
    for (const event of events) {
      expect(event.delivery).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 204, lastError: null, nextAttemptAt: null, finishedAt: expect.any(String) });
    }
    const limited = (await (await app.request(`/accounts/${accountId}/events?limit=1`, { token: TEST_API_KEY })).json()) as { events: unknown[] };
    expect(limited.events).toHaveLength(1);
    const openapi = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, { get?: unknown }> };
    expect(openapi.paths['/accounts/{accountId}/events']?.get).toBeDefined();
  });

  it('a pending event shows its attempts, last status and next attempt; the failure is logged with its status', async () => {
    const accountId = 'acct-pending';
    receiver.answer(500);
    await saveSettings(accountId, CANARY);
    await receiver.waitFor(() => received(accountId).length >= 2);
    const { events } = (await (await app.request(`/accounts/${accountId}/events`, { token: TEST_API_KEY })).json()) as {
      events: Array<{ id: string; delivery: { state: string; attempts: number; lastStatus: number; nextAttemptAt: string | null } }>;
    };
    expect(events[0]!.delivery.state).toBe('pending');
    expect(events[0]!.delivery.attempts).toBeGreaterThanOrEqual(1);
    expect(events[0]!.delivery.lastStatus).toBe(500);
    expect(Date.parse(events[0]!.delivery.nextAttemptAt!)).not.toBeNaN();
    expect(app.logLines.some((line) => line.includes('webhook delivery failed') && line.includes('"status":500') && line.includes(events[0]!.id))).toBe(true);
    receiver.answer(204);
    await receiver.waitFor(() => received(accountId).some((request) => request.answer === 204));
    expect(new Set(received(accountId).map((request) => request.headers['webhook-id']))).toEqual(new Set([events[0]!.id]));
  });

  it('a refused save writes no event, and an event that cannot be written undoes the change it belongs to', async () => {
    const accountId = 'acct-atomic';
    const token = await app.session(accountId);
    const refused = await app.request('/settings', { method: 'PUT', token, json: { email: USER, imap: imap(), smtp: smtp(), auth: { method: 'password' } } });
    expect(refused.status).toBe(400);
    const db = app.services.database.db;
    expect(await db.selectFrom('account_events').select('id').where('account_id', '=', accountId).execute()).toEqual([]);

    // The outbox is unwritable: the save fails as a whole and the settings stay as they were.
    await sql`ALTER TABLE account_events RENAME TO account_events_away`.execute(db);
    try {
      expect((await saveSettings(accountId, CANARY)).status).toBe(500);
    } finally {
      await sql`ALTER TABLE account_events_away RENAME TO account_events`.execute(db);
    }
    expect((await app.request('/settings', { token })).status).toBe(404);
    expect((await saveSettings(accountId, CANARY)).status).toBe(200);
    await eventsOf(accountId, 'account.updated');
  });
});

describe('without EMAIL_WIZARD_WEBHOOK_URL', () => {
  it('changes work as before and no event is written', async () => {
    const quiet = await createTestApp({ EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true' });
    try {
      const token = await quiet.session('acct-quiet');
      const saved = await quiet.request('/settings', { method: 'PUT', token, json: { email: USER, imap: imap(), smtp: smtp(), auth: { method: 'password', password: CANARY } } });
      expect(saved.status).toBe(200);
      expect(await quiet.services.database.db.selectFrom('account_events').selectAll().execute()).toEqual([]);
      const listed = (await (await quiet.request('/accounts/acct-quiet/events', { token: TEST_API_KEY })).json()) as { events: unknown[] };
      expect(listed.events).toEqual([]);
      expect(quiet.services.events.sender).toBeUndefined();
    } finally {
      await quiet.close();
    }
  });
});

describe('retention of account events', () => {
  it('the retention job keeps finished events 30 days by default (EMAIL_WIZARD_RETENTION overrides) and never prunes pending ones', async () => {
    const day = 24 * 3600_000;
    const standard = await createTestApp();
    const shorter = await createTestApp({ EMAIL_WIZARD_RETENTION: 'account_events=48' });
    try {
      expect(standard.services.retention.describe().find((rule) => rule.table === 'account_events')?.keepMs).toBe(30 * day);
      const now = Date.now();
      const row = (id: string, state: 'pending' | 'delivered' | 'dead', finishedDaysAgo: number | null) => ({
        id,
        account_id: 'acct-old',
        type: 'account.updated',
        payload: '{}',
        created_at: now - 40 * day,
        next_attempt_at: now + day,
        state,
        finished_at: finishedDaysAgo === null ? null : now - finishedDaysAgo * day,
      });
      const rows = [row('msg_delivered_31', 'delivered', 31), row('msg_dead_31', 'dead', 31), row('msg_dead_3', 'dead', 3), row('msg_pending', 'pending', null)];
      const left = async (target: TestApp) =>
        (await target.services.database.db.selectFrom('account_events').select('id').orderBy('id').execute()).map((r) => r.id);
      for (const target of [standard, shorter]) {
        await target.services.database.db.insertInto('account_events').values(rows).execute();
        await target.services.retention.runOnce();
      }
      expect(await left(standard)).toEqual(['msg_dead_3', 'msg_pending']);
      expect(await left(shorter)).toEqual(['msg_pending']);
    } finally {
      await Promise.all([standard.close(), shorter.close()]);
    }
  });
});

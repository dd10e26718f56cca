import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountEventBody } from '../contract/events.js';
import { createMemoryLogger } from '../log/index.js';
import { openDatabase, type DatabaseHandle, type Dialect } from '../store/connect.js';
import { sharedTestPostgres, stopSharedTestPostgres } from '../testing/postgres.js';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../testing/webhook-receiver.js';
import { EVENT_RETENTION_MS, Outbox } from './outbox.js';
import { WebhookSender, type WebhookSenderOptions } from './sender.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stopSharedTestPostgres();
});
beforeEach(async () => {
  receiver.requests.length = 0;
  receiver.answer(204);
  await receiver.accept();
});

function event(accountId: string, type: AccountEventBody['type'] = 'account.failing'): AccountEventBody {
  return {
    type,
    timestamp: new Date().toISOString(),
    data: {
      accountId,
      email: `${accountId}@mail.test`,
      status: 'failing',
      previousStatus: 'connected',
      cause: 'test.recorded',
      authMethod: 'password',
      imap: { host: 'imap.mail.test', port: 993 },
      smtp: { host: 'smtp.mail.test', port: 587 },
      lastTest: { at: new Date().toISOString(), ok: false, imap: { ok: false, code: 'AUTH_FAILED' }, smtp: { ok: true } },
      failures: [{ protocol: 'imap', host: 'imap.mail.test', code: 'AUTH_FAILED' }],
    },
  };
}

/** Polls the table until `done` holds (the sender works in the background). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['sqlite', 'postgres'] as Dialect[])('webhook sender on %s', (dialect) => {
  let database: DatabaseHandle;
  let second: DatabaseHandle;
  let outbox: Outbox;
  const senders: WebhookSender[] = [];
  const logger = createMemoryLogger('debug');

  beforeAll(async () => {
    // Two handles on one database: as far as locks and leases go, two server processes.
    if (dialect === 'postgres') {
      const url = await (await sharedTestPostgres()).createDatabase();
      database = await openDatabase({ databaseUrl: url });
      second = await openDatabase({ databaseUrl: url });
    } else {
      const file = join(mkdtempSync(join(tmpdir(), 'ecw-sender-')), 'events.sqlite');
      database = await openDatabase({ sqliteFile: file });
      second = await openDatabase({ sqliteFile: file });
    }
    outbox = new Outbox(database.db, database.dialect);
  });
  afterAll(async () => {
    await Promise.all(senders.map((sender) => sender.stop()));
    await second?.close();
    await database?.close();
  });

  function startSender(options: Partial<WebhookSenderOptions> = {}, handle = database): WebhookSender {
    const sender = new WebhookSender({
      outbox: new Outbox(handle.db, handle.dialect),
      url: receiver.url,
      secret: SECRET,
      retryDelaysSeconds: [0.05, 0.1],
      logger,
      pollIntervalMs: 50,
      ...options,
    });
    senders.push(sender);
    sender.start();
    return sender;
  }

  async function enqueue(...events: AccountEventBody[]): Promise<string[]> {
    await database.db.transaction().execute((trx) => outbox.enqueue(trx, events, Date.now()));
    const rows = await database.db.selectFrom('account_events').select(['id', 'account_id']).execute();
    const idOf = new Map(rows.map((row) => [row.account_id, row.id]));
    return events.map((e) => idOf.get(e.data.accountId)!);
  }
  const rowOf = (id: string) => database.db.selectFrom('account_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('POSTs the stored body, signed the Standard Webhooks way (verified with node:crypto), and records the delivery', async () => {
    const accountId = `${dialect}-signed`;
    const [id] = await enqueue(event(accountId));
    const sender = startSender();
    const [request] = await receiver.waitFor((requests) => requests.length >= 1);
    const row = await until(() => rowOf(id!), (r) => r.state === 'delivered');
    await sender.stop();
    expect(request!.headers['webhook-id']).toBe(id);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(verifyStandardWebhook(SECRET, request!)).toBe(true);
    expect(verifyStandardWebhook(`whsec_${randomBytes(32).toString('base64')}`, request!)).toBe(false);
    expect(verifyStandardWebhook(SECRET, { ...request!, body: request!.body.replace('AUTH_FAILED', 'AUTH_FAILEE') })).toBe(false);
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'account.failing', data: { accountId, failures: [{ protocol: 'imap', code: 'AUTH_FAILED' }] } });
    expect(row).toMatchObject({ attempts: 1, last_status: 204, lease_owner: null });
    expect(row.finished_at).not.toBeNull();
  });

  it('retries a 500 with the same webhook-id and body until a 2xx, and logs each failure with its status', async () => {
    const [id] = await enqueue(event(`${dialect}-retried`));
    receiver.answer((_request, index) => (index < 2 ? 500 : 200));
    const sender = startSender();
    const requests = await receiver.waitFor((all) => all.length >= 3);
    await until(() => rowOf(id!), (r) => r.state === 'delivered');
    await sender.stop();
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([id, id, id]);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(requests.every((r) => verifyStandardWebhook(SECRET, r))).toBe(true);
    expect(await rowOf(id!)).toMatchObject({ state: 'delivered', attempts: 3, last_status: 200 });
    const failures = logger.lines.map((line) => JSON.parse(line)).filter((line) => line.msg.startsWith('webhook delivery failed') && line.eventId === id);
    expect(failures.map((line) => line.status)).toEqual([500, 500]);
    expect(failures.every((line) => typeof line.nextAttemptAt === 'string')).toBe(true);
  });

  it('a receiver that does not answer within the timeout is a failed attempt (timeout), retried', async () => {
    const [id] = await enqueue(event(`${dialect}-hung`));
    receiver.answer((_request, index) => (index === 0 ? 'hang' : 204));
    const sender = startSender({ timeoutMs: 300 });
    await receiver.waitFor((all) => all.length >= 2);
    await until(() => rowOf(id!), (r) => r.state === 'delivered');
    await sender.stop();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id, id]);
    const failure = logger.lines.map((line) => JSON.parse(line)).find((line) => line.eventId === id && line.msg.startsWith('webhook delivery failed'));
    expect(failure).toMatchObject({ status: null, error: 'timeout' });
  });

  it('a refused connection is retried until the receiver listens again', async () => {
    const [id] = await enqueue(event(`${dialect}-refused`));
    await receiver.refuse();
    const sender = startSender();
    const failed = await until(() => rowOf(id!), (r) => r.attempts >= 2);
    expect(failed).toMatchObject({ state: 'pending', last_status: null, last_error: 'ECONNREFUSED' });
    await receiver.accept();
    const delivered = await until(() => rowOf(id!), (r) => r.state === 'delivered');
    await sender.stop();
    expect(delivered.attempts).toBeGreaterThanOrEqual(3);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);
  });

  it('gives an event up (dead) once it has been retried for the whole horizon, and logs it', async () => {
    const [id] = await enqueue(event(`${dialect}-dead`));
    receiver.answer(503);
    const sender = startSender({ horizonMs: 400 });
    const dead = await until(() => rowOf(id!), (r) => r.state === 'dead');
    const attempts = receiver.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sender.stop();
    expect(receiver.requests.length).toBe(attempts); // never tried again
    expect(dead.attempts).toBeGreaterThanOrEqual(2);
    expect(dead.finished_at! - dead.created_at).toBeGreaterThanOrEqual(400);
    expect(logger.lines.some((line) => line.includes('given up') && line.includes(id!))).toBe(true);
  });

  it('two senders on one database deliver each of 40 events exactly once', async () => {
    const ids = await enqueue(...Array.from({ length: 40 }, (_, i) => event(`${dialect}-pair-${i}`)));
    const a = startSender({ pollIntervalMs: 5 });
    const b = startSender({ pollIntervalMs: 5 }, second);
    await receiver.waitFor((all) => new Set(all.map((r) => r.headers['webhook-id'])).size >= 40);
    await new Promise((resolve) => setTimeout(resolve, 300)); // room for a duplicate to show up
    await Promise.all([a.stop(), b.stop()]);
    const received = receiver.requests.map((r) => r.headers['webhook-id']).sort();
    expect(received).toEqual([...ids].sort());
  });

  it('an event leased by a sender that died is taken over once its lease runs out', async () => {
    const [id] = await enqueue(event(`${dialect}-orphan`));
    // A sender claimed it and was killed before answering: the lease is all that is left of it.
    const claimed = await outbox.claimDue('sender:killed', Date.now(), 300, 10);
    expect(claimed.map((row) => row.id)).toContain(id);
    const sender = startSender({ pollIntervalMs: 20 });
    await until(() => rowOf(id!), (r) => r.state === 'delivered');
    await sender.stop();
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id]);
  });

  it('prunes delivered and dead events finished more than 30 days ago, never pending ones', async () => {
    const ids = await enqueue(event(`${dialect}-old-delivered`), event(`${dialect}-old-dead`), event(`${dialect}-recent-dead`), event(`${dialect}-old-pending`));
    const day = 24 * 3600_000;
    const now = Date.now();
    const set = (id: string, values: { state: 'delivered' | 'dead' | 'pending'; finished_at: number | null; created_at?: number }) =>
      database.db.updateTable('account_events').set(values).where('id', '=', id).execute();
    await set(ids[0]!, { state: 'delivered', finished_at: now - 31 * day });
    await set(ids[1]!, { state: 'dead', finished_at: now - 31 * day });
    await set(ids[2]!, { state: 'dead', finished_at: now - 29 * day });
    await set(ids[3]!, { state: 'pending', finished_at: null, created_at: now - 400 * day });
    expect(EVENT_RETENTION_MS).toBe(30 * day);
    const left = async () => (await database.db.selectFrom('account_events').select('id').where('id', 'in', ids).execute()).map((r) => r.id).sort();
    expect(await outbox.prune(now - EVENT_RETENTION_MS)).toBe(2);
    expect(await left()).toEqual([ids[2]!, ids[3]!].sort());
    expect(await outbox.prune(now)).toBeGreaterThanOrEqual(1); // with the events the other tests delivered
    expect(await left()).toEqual([ids[3]!]);
  });
});

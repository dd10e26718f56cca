import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** One request the receiver got. */
export interface ReceivedWebhook {
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  /** What it was answered with: an HTTP status, or `hang` (no answer). */
  answer: number | 'hang';
}

/** How to answer a request: a status, or `hang` to never answer (the sender's timeout ends it). */
export type WebhookAnswer = number | 'hang';

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks` */
  url: string;
  port: number;
  requests: ReceivedWebhook[];
  /** Sets how the next requests are answered (default 204); a function decides per request. */
  answer(with_: WebhookAnswer | ((request: ReceivedWebhook, index: number) => WebhookAnswer)): void;
  /** Stops listening: connections to the port are refused until `accept()`. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  /** Waits until `done(requests)` holds, checking every 20 ms; throws after `timeoutMs` with what arrived. */
  waitFor(done: (requests: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** The parsed bodies of the requests so far. */
  bodies(): Array<{ type: string; timestamp: string; data: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * A webhook endpoint on 127.0.0.1 that records every request (headers and raw body) and answers
 * as told: a status, no answer at all, or — with `refuse()` — no listener.
 *
 * @example
 * const receiver = await startWebhookReceiver();
 * receiver.answer(500);
 * await receiver.waitFor((requests) => requests.length >= 2);
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  let decide: (request: ReceivedWebhook, index: number) => WebhookAnswer = () => 204;
  const sockets = new Set<Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value ?? '']));
      const received: ReceivedWebhook = { headers, body: Buffer.concat(chunks).toString('utf8'), answer: 204 };
      received.answer = decide(received, requests.length);
      requests.push(received);
      if (received.answer === 'hang') return;
      res.writeHead(received.answer, { 'content-type': 'text/plain' }).end(received.answer < 300 ? 'ok' : 'no');
    });
  };
  let server: Server = createServer(handler);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer(handler);
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  const port = await listen(0);
  let listening = true;

  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    requests,
    answer(with_) {
      decide = typeof with_ === 'function' ? with_ : () => with_;
    },
    async refuse() {
      if (!listening) return;
      listening = false;
      await stopListening();
    },
    async accept() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    async waitFor(done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(requests)) {
        if (Date.now() > deadline) {
          throw new Error(`The webhook receiver did not get what was expected within ${timeoutMs} ms; it got ${requests.length} request(s): ${requests.map((r) => r.body).join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return requests;
    },
    bodies() {
      return requests.map((request) => JSON.parse(request.body));
    },
    async close() {
      if (listening) await stopListening();
      listening = false;
    },
  };
}

/**
 * Checks a request's Standard Webhooks signature with node:crypto alone — independently of the
 * library the server signs with: HMAC-SHA256 keyed with the base64 after `whsec_`, over
 * `<webhook-id>.<webhook-timestamp>.<raw body>`, base64, among the space-separated `v1,…` entries;
 * the timestamp within five minutes of now.
 */
export function verifyStandardWebhook(secret: string, request: Pick<ReceivedWebhook, 'headers' | 'body'>): boolean {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signatures = request.headers['webhook-signature'];
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

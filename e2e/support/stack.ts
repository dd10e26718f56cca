import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa } from '../../server/testing/certs.js';
import { startDnsServer, type DnsRecords } from '../../server/testing/dns-server.js';
import { startDovecot } from '../../server/testing/dovecot.js';
import { startSmtpServer } from '../../server/testing/smtp-server.js';
import { startOAuthTestServer } from '../../server/testing/oauth-server.js';
import { startServerProcess } from '../../server/testing/server-process.js';
import { findFreePort } from '../../server/testing/listeners.js';
import { startTcpForwarder } from './forwarder.js';
import { serve } from '@hono/node-server';
import { createThirdPartyDemo } from '../../server/demo/third-party.js';

/** The mailboxes the journeys connect; every name resolves (local DNS) to loopback. */
export const JOURNEY_MAILBOXES = {
  /** Journey 1: a built-in provider (Posteo: posteo.de:993 TLS, posteo.de:465 TLS) with a password. */
  known: { email: 'support@posteo.de', password: 'Posteo-Secret-8471!' },
  /** Journey 2: a custom domain whose MX is Google Workspace: OAuth, then XOAUTH2 at imap/smtp.gmail.com. */
  workspace: { email: 'help@acme-widgets.com' },
  /** Journey 3: a domain nothing knows; the person types the servers. */
  manual: { email: 'desk@unknown-corp.net', password: 'Right-Horse-Battery-42', wrongPassword: 'Wrong-Staple-13', host: 'box7.hostingcorp.net' },
  /** Journey 5: connected from the third-party page. */
  thirdParty: { email: 'inbox@posteo.de', password: 'ThirdParty-Secret-5502!' },
} as const;

/** Every password the journeys type: none may appear in the database, the logs or a response. */
export const JOURNEY_PASSWORDS = [
  JOURNEY_MAILBOXES.known.password,
  JOURNEY_MAILBOXES.manual.password,
  JOURNEY_MAILBOXES.manual.wrongPassword,
  JOURNEY_MAILBOXES.thirdParty.password,
];

/** Loopback addresses that are not "localhost" to the server: the third-party page (on the allow-list) and a foreign one (not). */
const THIRD_PARTY_HOST = '127.0.0.3';
const FOREIGN_HOST = '127.0.0.2';

/** What the tests get to know about a running stack (plain data: it crosses from the global setup to the test workers). */
export interface StackInfo {
  /** The wizard server, e.g. `http://127.0.0.1:41234`: the admin dashboard demo is at `/`. */
  url: string;
  apiUrl: string;
  /** The demo API key the server generated (demo mode), for the host endpoints. */
  apiKey: string;
  dbFile: string;
  /** The test CA that signed Dovecot's and the SMTP server's certificates. */
  caCertPath: string;
  /** A page on another origin that is on the allow-list, with its own tiny host backend. */
  thirdPartyUrl: string;
  /** The same page on an origin that is not allowed. */
  foreignUrl: string;
  /** Control endpoints of the test peers: `GET /logs`, `GET /seen-tokens`, `POST /revoke?email=` (the provider forgets the mailbox's refresh tokens). */
  controlUrl: string;
}

export interface JourneyStack {
  info: StackInfo;
  stop(): Promise<void>;
}

/**
 * The whole product on loopback, as a customer would run it: the real server (`server/main.ts`,
 * demo mode) as a child process, Dovecot and an SMTP server behind the providers' standard ports,
 * a DNS server that answers for every host name involved, a local OAuth server standing in for
 * Google and Microsoft, and two third-party host pages on other origins. Only inside a private
 * network namespace (`runVitestInNetns`): it binds 993, 143, 465 and 587.
 */
export async function startJourneyStack(): Promise<JourneyStack> {
  if (!process.env.ECW_NETNS) throw new Error('The journey stack binds standard ports: run it through runVitestInNetns.');
  const stops: Array<() => Promise<unknown>> = [];
  // All at once: a slow one (the server's graceful shutdown) must not leave the others running past the teardown.
  const stopAll = async () => {
    await Promise.allSettled(stops.splice(0).map((stop) => stop()));
  };
  try {
    const ca = createTestCa();
    // Access tokens shorter-lived than the server's five-minute freshness margin: every use refreshes.
    const oauth = await startOAuthTestServer({ accessTokenTtlSeconds: 240 });
    stops.push(() => oauth.close());
    oauth.setConsent({ email: JOURNEY_MAILBOXES.workspace.email });
    const seenTokens = new Set<string>();
    const tokenOwner = (token: string) => {
      seenTokens.add(token);
      return oauth.introspect(token)?.email;
    };
    const { known, manual, thirdParty } = JOURNEY_MAILBOXES;
    const users = [
      { username: known.email, password: known.password },
      { username: manual.email, password: manual.password },
      { username: thirdParty.email, password: thirdParty.password },
    ];
    const certNames = ['posteo.de', 'imap.gmail.com', 'smtp.gmail.com', manual.host, 'localhost'];
    const dovecot = await startDovecot({
      ca,
      users,
      certNames,
      introspect: (token) => {
        const owner = tokenOwner(token);
        return owner ? { active: true, username: owner } : { active: false };
      },
    });
    stops.push(() => dovecot.stop());
    const smtp = await startSmtpServer({ ca, users, certNames, tokenOwner });
    stops.push(() => smtp.stop());
    const loopback = { A: ['127.0.0.1'] };
    const records: DnsRecords = {
      'posteo.de': { ...loopback, MX: [{ exchange: 'mx01.posteo.de', priority: 10 }] },
      'imap.gmail.com': loopback,
      'smtp.gmail.com': loopback,
      'acme-widgets.com': { MX: [{ exchange: 'aspmx.l.google.com', priority: 1 }, { exchange: 'alt1.aspmx.l.google.com', priority: 5 }] },
      'unknown-corp.net': { MX: [{ exchange: 'mx.spamfilter-example.org', priority: 10 }] },
      [manual.host]: loopback,
    };
    const dns = await startDnsServer(records);
    stops.push(() => dns.close());
    for (const [port, targetPort] of [
      [993, dovecot.imapsPort],
      [143, dovecot.imapPort],
      [465, smtp.securePort],
      [587, smtp.port],
    ] as const) {
      const forwarder = await startTcpForwarder({ host: '127.0.0.1', port, targetPort });
      stops.push(() => forwarder.stop());
    }

    const dataDir = mkdtempSync(join(tmpdir(), 'ecw-e2e-stack-'));
    const port = await findFreePort();
    const thirdPartyPort = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    // Not 127.0.0.1 or localhost: demo mode lets any localhost port in, and these pages must be judged by the allow-list.
    const thirdPartyOrigin = `http://${THIRD_PARTY_HOST}:${thirdPartyPort}`;
    const server = await startServerProcess({
      env: {
        ...oauth.env(),
        PORT: String(port),
        EMAIL_WIZARD_DB: join(dataDir, 'email-wizard.sqlite'),
        EMAIL_WIZARD_API_KEYS: undefined, // unset: demo mode (a set but empty key list refuses to start)
        EMAIL_WIZARD_ENCRYPTION_KEYS: '',
        EMAIL_WIZARD_SESSION_SECRET: '',
        EMAIL_WIZARD_PUBLIC_URL: url,
        EMAIL_WIZARD_ALLOWED_ORIGINS: thirdPartyOrigin,
        EMAIL_WIZARD_DNS_SERVERS: dns.address,
        EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
        NODE_EXTRA_CA_CERTS: ca.certPath,
        LOG_LEVEL: 'debug',
      },
    });
    stops.push(async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const apiKey = readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim();
    const demoOptions = { apiOrigin: url, basePath: '/api/email-settings', apiKey, accountId: 'third-party-account' };
    const allowed = await serveThirdPartyDemo(demoOptions, THIRD_PARTY_HOST, thirdPartyPort);
    stops.push(() => allowed.stop());
    const foreign = await serveThirdPartyDemo(demoOptions, FOREIGN_HOST, 0);
    stops.push(() => foreign.stop());

    const control = await startControlServer({
      logs: () => server.stdout() + server.stderr(),
      seenTokens: () => [...seenTokens],
      revoke: (email) => oauth.revokeGrants(email),
    });
    stops.push(() => new Promise<void>((resolve) => control.close(() => resolve())));

    return {
      info: {
        url,
        apiUrl: server.apiUrl,
        apiKey,
        dbFile: join(dataDir, 'email-wizard.sqlite'),
        caCertPath: ca.certPath,
        thirdPartyUrl: allowed.url,
        foreignUrl: foreign.url,
        controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The demo's third-party page and host backend (`demo/third-party.html`) on its own origin. */
async function serveThirdPartyDemo(options: Parameters<typeof createThirdPartyDemo>[0], hostname: string, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const app = createThirdPartyDemo(options);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) =>
      resolve({
        url: `http://${hostname}:${info.port}/`,
        stop: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}

/** Lets test workers (other processes) read and steer the peers the global setup holds. */
async function startControlServer(handlers: { logs(): string; seenTokens(): string[]; revoke(email: string): void }): Promise<Server> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://control');
    const reply = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method === 'GET' && url.pathname === '/logs') return reply(200, { logs: handlers.logs() });
    if (request.method === 'GET' && url.pathname === '/seen-tokens') return reply(200, { tokens: handlers.seenTokens() });
    if (request.method === 'POST' && url.pathname === '/revoke') {
      handlers.revoke(url.searchParams.get('email') ?? '');
      return reply(200, { ok: true });
    }
    reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Calls one of the stack's control endpoints from a test worker. */
export async function control<T>(info: StackInfo, path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const response = await fetch(`${info.controlUrl}${path}`, { method, signal: AbortSignal.timeout(5000) });
  return (await response.json()) as T;
}

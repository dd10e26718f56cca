import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TestCertificate } from './certs.js';

/** One canned answer; `body` may be a function of the request (to echo it). */
export interface CannedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | ((request: { url: string; host: string; method: string; body: string }) => string);
  /** Never answer: the request hangs until the client gives up. */
  hang?: boolean;
}

export interface TestHttpsServer {
  port: number;
  /** Every request so far, as `METHOD host url`. */
  readonly requests: string[];
  /** TCP connections accepted so far (also the ones that never sent a request). */
  readonly connections: number;
  /** Replaces the answers: keys are `host/path` or `/path` (any host); the query string is ignored. */
  setRoutes(routes: Record<string, CannedResponse>): void;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 (ephemeral port) with a certificate from the test CA, answering
 * from a table of canned responses (404 otherwise) and recording what it was asked.
 *
 * @example
 * const server = await startHttpsServer(ca.issue(['autoconfig.example.test']), {
 *   'autoconfig.example.test/mail/config-v1.1.xml': { body: xml },
 * });
 */
export async function startHttpsServer(certificate: TestCertificate, initial: Record<string, CannedResponse> = {}): Promise<TestHttpsServer> {
  let routes = initial;
  const requests: string[] = [];
  let connections = 0;
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      const url = request.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      requests.push(`${request.method} ${host} ${url}`);
      const canned = routes[`${host}${path}`] ?? routes[path];
      if (canned?.hang) return;
      if (!canned) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const body = typeof canned.body === 'function' ? canned.body({ url, host, method: request.method ?? 'GET', body: Buffer.concat(chunks).toString('utf8') }) : (canned.body ?? '');
      response.writeHead(canned.status ?? 200, { 'content-type': 'application/xml', ...canned.headers }).end(body);
    });
  };
  const server = https.createServer({ key: certificate.key, cert: certificate.cert }, handle);
  server.on('connection', (socket) => {
    connections += 1;
    socket.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    get connections() {
      return connections;
    },
    setRoutes(next) {
      routes = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

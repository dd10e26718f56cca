import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an OAuth 2.0 token introspection endpoint (RFC 7662) says about one token. */
export type IntrospectionAnswer = { active: true; username: string } | { active: false };

/** Decides what a token means; may be async (to look up a mock OAuth server, for example). */
export type Introspect = (token: string) => IntrospectionAnswer | Promise<IntrospectionAnswer>;

export interface TestIntrospectionServer {
  /** `http://127.0.0.1:<port>/introspect` — the URL Dovecot's oauth2 passdb posts to. */
  url: string;
  /** Replaces the decision function (default: every token is inactive); one that throws answers 503. */
  setIntrospection(fn: Introspect): void;
  /** How many tokens were checked so far. */
  readonly calls: number;
  stop(): Promise<void>;
}

/**
 * A local token introspection endpoint on 127.0.0.1 (ephemeral port): reads `token` from the
 * form body and answers `{"active": true, "username"}` or `{"active": false}`, as Dovecot's
 * `oauth2` passdb expects with `introspection_mode = post`.
 *
 * @example
 * const endpoint = await startIntrospectionServer((token) =>
 *   token === 'good' ? { active: true, username: 'alice@mail.test' } : { active: false });
 */
export async function startIntrospectionServer(initial?: Introspect): Promise<TestIntrospectionServer> {
  let introspect: Introspect = initial ?? (() => ({ active: false }));
  let calls = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', async () => {
      calls += 1;
      const body = Buffer.concat(chunks).toString('utf8');
      const token = new URLSearchParams(body).get('token') ?? bearerToken(request.headers.authorization) ?? '';
      let answer: IntrospectionAnswer;
      try {
        answer = token ? await introspect(token) : { active: false };
      } catch {
        // A throwing decision function plays an endpoint that is down.
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end('{"error":"temporarily_unavailable"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/introspect`,
    setIntrospection(fn) {
      introspect = fn;
    },
    get calls() {
      return calls;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

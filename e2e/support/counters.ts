import { createServer, type Server, type Socket } from 'node:net';

export interface ConnectionCounters {
  /** Connections accepted so far, over every address and port. */
  readonly total: number;
  /** `host:port` of every accepted connection's listener, in order. */
  readonly hits: string[];
  stop(): Promise<void>;
}

/**
 * Silent listeners on every `host × port` given (e.g. 127.0.0.1 and ::1 on 443 and 993) that
 * count what reaches them: the SSRF suite's proof that a refused address was never contacted.
 * Like `startSilentListener` (server/testing/listeners.ts), but on chosen addresses and ports,
 * which only a private network namespace leaves free.
 *
 * @example
 * const counters = await startConnectionCounters(['127.0.0.1', '::1'], [443, 993]);
 * expect(counters.total).toBe(0);
 */
export async function startConnectionCounters(hosts: string[], ports: number[]): Promise<ConnectionCounters> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  for (const host of hosts) {
    for (const port of ports) {
      const server = createServer((socket) => {
        hits.push(`${host}:${port}`);
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, ipv6Only: host.includes(':') }, resolve);
      });
      servers.push(server);
    }
  }
  return {
    get total() {
      return hits.length;
    },
    hits,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

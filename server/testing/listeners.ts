import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';

/**
 * A free TCP port on 127.0.0.1, for daemons (Dovecot) that cannot listen on port 0 themselves.
 * The port is released before it is returned, so start the daemon right away.
 */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface CountingListener {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

/**
 * A listener on 127.0.0.1 that accepts connections, counts them and never says a word — a mail
 * server that hangs before its greeting, and proof (a count of zero) that a blocked address was
 * never contacted. With `greeting` it says that once and then nothing (another protocol's banner).
 *
 * @example
 * const silent = await startSilentListener();
 * // … run a test against 127.0.0.1:silent.port …
 * expect(silent.connections).toBe(0);
 */
export async function startSilentListener(options: { greeting?: string } = {}): Promise<CountingListener> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    if (options.greeting) socket.write(options.greeting);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export const findClosedPort = findFreePort;

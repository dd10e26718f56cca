import { createServer, connect, type Socket } from 'node:net';

export interface TcpForwarder {
  /** Connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

/**
 * Listens on `host:port` and pipes every connection, byte for byte (TLS included), to
 * 127.0.0.1:`targetPort`. Inside a private network namespace it puts a test daemon that picked
 * an ephemeral port behind a provider's standard one (993, 465, 443, …).
 *
 * @example
 * const imaps = await startTcpForwarder({ host: '127.0.0.1', port: 993, targetPort: dovecot.imapsPort });
 */
export async function startTcpForwarder(options: { host: string; port: number; targetPort: number }): Promise<TcpForwarder> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((incoming) => {
    connections += 1;
    const outgoing = connect({ host: '127.0.0.1', port: options.targetPort });
    track(incoming);
    track(outgoing);
    incoming.pipe(outgoing).pipe(incoming);
    incoming.on('close', () => outgoing.destroy());
    outgoing.on('close', () => incoming.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
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
